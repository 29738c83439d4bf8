import { parseArgs } from 'node:util';

export const SCENARIOS = ['upstream', 'bare', 'nginx', 'lgsp-read', 'lgsp-write', 'lgsp-production', 'steady'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface BenchOptions {
  /** Measured seconds per scenario (after the warm-up). */
  readonly duration: number;
  readonly warmup: number;
  readonly connections: number;
  /** The steady run's rate over all connections, requests/s. */
  readonly rate: number;
  readonly only: ReadonlySet<ScenarioName>;
  readonly micro: boolean;
  /** Record a CPU profile of the LGSP read-chain gateway (`node --cpu-prof`) and summarize it. */
  readonly profile: boolean;
  /** LGSP_ACCESS_LOG of the LGSP gateways: `errors` (default), `all` or `off`. */
  readonly accessLog: 'all' | 'errors' | 'off';
  readonly help: boolean;
}

export const USAGE = `npm run bench -- [--duration 10] [--warmup 2] [--connections 50] [--rate 1000] [--access-log errors|all|off] [--only ${SCENARIOS.join(',')}]
npm run bench -- --micro     the micro-benchmarks (tools/bench/src/micro/*.bench.ts), one after the other
npm run bench -- --profile   also record a CPU profile of the LGSP read-chain gateway under the load and summarize where the time goes`;

function positive(name: string, text: string | undefined, fallback: number, allowZero = false): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !allowZero)) throw new Error(`--${name} ${text}: expected a ${allowZero ? 'non-negative' : 'positive'} number`);
  return value;
}

function accessLogOf(value: string): 'all' | 'errors' | 'off' {
  if (value === 'all' || value === 'errors' || value === 'off') return value;
  throw new Error(`--access-log ${value}: expected all, errors or off`);
}

export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      rate: { type: 'string' },
      only: { type: 'string' },
      micro: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      'access-log': { type: 'string', default: 'errors' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const only = values.only === undefined ? SCENARIOS : values.only.split(',').map((name) => name.trim());
  const unknown = only.filter((name) => !(SCENARIOS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`--only ${unknown.join(',')}: unknown scenario; one of ${SCENARIOS.join(', ')}`);
  return {
    duration: positive('duration', values.duration, 10),
    warmup: positive('warmup', values.warmup, 2, true),
    connections: Math.round(positive('connections', values.connections, 50)),
    rate: positive('rate', values.rate, 1000),
    only: new Set(only as ScenarioName[]),
    micro: values.micro,
    profile: values.profile,
    accessLog: accessLogOf(values['access-log']),
    help: values.help,
  };
}

import { isAbsolute, join, relative } from 'node:path';
import { parseArgs } from 'node:util';

import type { Cluster } from './cluster';
import { DEFAULT_CLUSTER_DIR, DEFAULT_DATABASE_URL, DEFAULT_GATEWAYS, DEFAULT_PORT, DEFAULT_REDIS_URL, MAX_GATEWAYS, startCluster, writeDemoKit } from './cluster';
import { EngineUnavailableError, redactUrl } from './engines.util';

const HELP = `Usage: npm run cluster -- [options]

The split topology on this machine: IAM, the registry, the ledger and ${DEFAULT_GATEWAYS} gateway replicas as
separate processes on loopback, on this machine's PostgreSQL and Redis, behind a small load
balancer (and the demo provider, for the first calls). Ctrl-C (or SIGTERM) stops them all.

Options:
  --gateways <n>         gateway replicas (1 to ${MAX_GATEWAYS}; default ${DEFAULT_GATEWAYS})
  --port <port>          the balancer's port, the public URL (default ${DEFAULT_PORT}); the services take
                         the ports after it: registry admin +1, ledger admin +2, IAM +10,
                         gateways +11..., demo provider +20
  --database-url <url>   PostgreSQL (default $DATABASE_URL, else ${DEFAULT_DATABASE_URL});
                         the database is created when absent
  --redis-url <url>      Redis (default $REDIS_URL, else ${DEFAULT_REDIS_URL})
  --dir <dir>            keys, secrets, data dirs and logs (default ${DEFAULT_CLUSTER_DIR})
  -h, --help             show this help

See docs/operations.md, "Standing up the split topology".
`;

function integer(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number, not '${value}'`);
  return Number(value);
}

class UsageError extends Error {}

/** A path as the operator types it from the working directory: relative below it, absolute elsewhere. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

/** A path for node's require(): relative ones need their ./ */
function requirable(path: string): string {
  const display = shown(path);
  return isAbsolute(display) ? display : `./${display}`;
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

async function describe(cluster: Cluster): Promise<string> {
  const dir = shown(cluster.dir);
  const sandboxFile = join(cluster.dir, 'demo', 'sandbox.json');
  const { apiFile, formFile } = await writeDemoKit(cluster);
  const secret = cluster.admin.clientSecret;
  const lines = [
    '',
    `LGSP cluster running: ${cluster.gateways.length} gateway replicas behind a load balancer, IAM, registry and ledger as separate processes.`,
    `  public URL (balancer)  ${cluster.publicUrl}   (data plane round-robin over the gateways; /oauth2/ to IAM)`,
    `  IAM                    ${cluster.iamUrl}`,
    `  registry admin API     ${cluster.registryUrl}   (openapi/admin.yaml)`,
    `  ledger admin API       ${cluster.ledgerUrl}   (SOC search and reconciliation /admin/v1/ledger/..., openapi/ledger.yaml)`,
    ...cluster.gateways.map((g) => `  ${g.name.padEnd(22)} ${g.url}   (/metrics, /health/ready)`),
    ...(cluster.demoProviderUrl === undefined ? [] : [`  demo provider          ${cluster.demoProviderUrl}`]),
    `  PostgreSQL             ${redactUrl(cluster.databaseUrl)}${cluster.databaseCreated ? '   (created now)' : ''}`,
    `  cluster dir            ${dir}   (shared keys and secrets; logs/<service>.log; data/<service>/)`,
    '',
  ];
  if (secret !== undefined) {
    lines.push(
      `Created the first DGO admin client: client_id ${cluster.admin.clientId}`,
      `  client_secret: ${secret}`,
      '  Shown this once and stored only as a keyed hash: keep it now.',
      '',
    );
  } else {
    lines.push(`The DGO admin client ${cluster.admin.clientId} exists: its secret was printed when it was created (lgsp admin bootstrap refuses a second one).`, '');
  }
  lines.push(
    'Try it, in another shell from the repository root:',
    `  export LGSP_URL=${cluster.publicUrl} LGSP_PUBLIC_URL=${cluster.publicUrl} LGSP_ADMIN_URL=${cluster.registryUrl}`,
    `  export LGSP_ADMIN_CLIENT_ID=${cluster.admin.clientId} LGSP_ADMIN_CLIENT_SECRET=${secret === undefined ? "'<the secret printed on the first run>'" : shellQuote(secret)}`,
    '  export LGSP_ADMIN_TOKEN=$(npx lgsp admin token)',
    `  npx lgsp admin apis register directory ${shown(apiFile)} && npx lgsp admin apis publish directory v1`,
    `  REF=$(npx lgsp admin registrations submit ${shown(formFile)} | node -pe 'JSON.parse(require("fs").readFileSync(0)).reference')`,
    '  npx lgsp admin registrations approve $REF --consumer-id tu-ha-noi.qlcb',
    `  npx lgsp admin registrations sandbox $REF > ${shown(sandboxFile)}    # the consumer's Consumer Key and Secret Key: the secret is shown once`,
    `  export LGSP_CLIENT_ID=$(node -pe 'require("${requirable(sandboxFile)}").credential.clientId') LGSP_CLIENT_SECRET=$(node -pe 'require("${requirable(sandboxFile)}").credential.clientSecret')`,
    "  npx lgsp call GET '/v1/directory/organisations?pageSize=2'",
    '',
    `Logs: ${dir}/logs/. Ctrl-C stops the cluster (gateways first, then ledger, registry, IAM).`,
    '',
  );
  return lines.join('\n');
}

async function main(): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        gateways: { type: 'string' },
        port: { type: 'string' },
        'database-url': { type: 'string' },
        'redis-url': { type: 'string' },
        dir: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`npm run cluster: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values['help'] === true) {
    process.stdout.write(HELP);
    return 0;
  }
  let gateways: number;
  let port: number;
  try {
    gateways = integer(values['gateways'] as string | undefined, 'gateways', DEFAULT_GATEWAYS);
    port = integer(values['port'] as string | undefined, 'port', DEFAULT_PORT);
  } catch (error) {
    process.stderr.write(`npm run cluster: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }

  const say = (line: string): void => void process.stdout.write(`cluster: ${line}\n`);
  let stopping: Promise<Record<string, number | null>> | undefined;
  let cluster: Cluster | undefined;
  // A signal while starting: startCluster stops what it started when it fails; ask it to by exiting once it returns.
  let stopRequested = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping !== undefined || stopRequested) {
      process.stderr.write(`cluster: ${signal} again: killing every service now\n`);
      for (const service of cluster?.services ?? []) service.process.child.kill('SIGKILL');
      process.exit(1);
    }
    if (cluster === undefined) {
      stopRequested = true;
      say(`${signal}: stopping once the services have started`);
      return;
    }
    say(`${signal}: stopping (gateways, then ledger, registry, IAM)`);
    stopping = cluster.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    cluster = await startCluster({
      gateways,
      port,
      databaseUrl: (values['database-url'] as string | undefined) ?? process.env.DATABASE_URL,
      redisUrl: (values['redis-url'] as string | undefined) ?? process.env.REDIS_URL,
      dir: values['dir'] as string | undefined,
      demoProvider: true,
      report: say,
    });
  } catch (error) {
    process.stderr.write(`npm run cluster: ${error instanceof EngineUnavailableError ? '' : 'could not start: '}${(error as Error).message}\n`);
    return 1;
  }
  for (const service of cluster.services) {
    void service.process.exited().then((code) => {
      if (stopping === undefined) say(`${service.name} exited (${String(code ?? service.process.child.signalCode)}) — see its log ${service.process.logFile}`);
    });
  }
  if (stopRequested) {
    stopping = cluster.stop();
  } else {
    process.stdout.write(await describe(cluster));
  }
  // Wait for a signal.
  while (stopping === undefined) await new Promise((wait) => setTimeout(wait, 250));
  const codes = await stopping;
  const failed = Object.entries(codes).filter(([, code]) => code !== 0);
  say(failed.length === 0 ? 'every service stopped cleanly' : `stopped; not cleanly: ${failed.map(([name, code]) => `${name} (${String(code)})`).join(', ')}`);
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`npm run cluster: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);

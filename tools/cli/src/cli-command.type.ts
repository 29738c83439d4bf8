import type { ParseArgsConfig } from 'node:util';

/** Where a command writes (the process's streams, or a test's buffers) and the environment it reads. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** The environment variables the command reads (LGSP_ADMIN_URL, ...); the process's when absent. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Exit codes: 0 done, 1 the command could not do it, 2 the command line is wrong. */
export const ExitCode = { ok: 0, failed: 1, usage: 2 } as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export type CliOptions = NonNullable<ParseArgsConfig['options']>;

/** One command of the table: `lgsp <path...> [options]`. */
export interface CliCommand {
  /** The words that name it: ['admin', 'bootstrap']. */
  readonly path: readonly string[];
  /** One line, for `lgsp --help`. */
  readonly summary: string;
  /** Its own `--help`: usage, what it does, options. */
  readonly help: string;
  /** node:util parseArgs options (`--help` is added to every command). */
  readonly options: CliOptions;
  /** Names of its positional arguments, each required: `lgsp admin consumers show <id>` has ['id']. */
  readonly args?: readonly string[];
  run(values: Readonly<Record<string, string | boolean | undefined>>, io: CliIo, args: Readonly<Record<string, string>>): Promise<ExitCodeValue>;
}

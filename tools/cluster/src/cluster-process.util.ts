import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const WORKSPACE = join(__dirname, '../../..');
const RUN_TS = join(WORKSPACE, 'tools/scripts/run-ts.mjs');
/** How much of a failed process's log a start-up error quotes. */
const LOG_TAIL_LINES = 15;

export interface ClusterProcessOptions {
  /** The name in logs and messages: `iam`, `gateway-2`. */
  readonly name: string;
  /** The TypeScript entry point, relative to the workspace: `apps/iam/src/main.ts`. */
  readonly entry: string;
  /** The process's whole environment besides PATH and HOME. */
  readonly env: Readonly<Record<string, string>>;
  /** Where stdout and stderr are appended. */
  readonly logFile: string;
  /** Told each warning or error the process logs (pino level ≥ 40), as `message`. */
  readonly onProblem?: (name: string, message: string) => void;
}

/** One service of the cluster: a composition root run as its own process, its output in a log file. */
export interface ClusterProcess {
  readonly name: string;
  readonly logFile: string;
  readonly child: ChildProcess;
  /** The URL the process said it listens on, once it has. */
  readonly listening: Promise<string>;
  /** Resolves with the exit code (null when a signal ended it). */
  exited(): Promise<number | null>;
  /** Sends the signal unless the process has exited; then its exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const LISTENING = /listening on (https?:\/\/[^"\s]+)/;

/**
 * Starts `node tools/scripts/run-ts.mjs <entry>` in a process group of its own (detached), so a
 * Ctrl-C at the terminal reaches the cluster alone, which then stops its services in order.
 */
export function startClusterProcess(options: ClusterProcessOptions): ClusterProcess {
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(process.execPath, [RUN_TS, join(WORKSPACE, options.entry)], {
    cwd: WORKSPACE,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const tail: string[] = [];
  let resolveListening: (url: string) => void = () => undefined;
  let rejectListening: (error: Error) => void = () => undefined;
  const listening = new Promise<string>((resolve, reject) => {
    resolveListening = resolve;
    rejectListening = reject;
  });
  // A start-up failure is reported by whoever waits for it; nobody may be waiting yet.
  listening.catch(() => undefined);
  let heard = false;

  const onLine = (line: string): void => {
    log.write(line + '\n');
    tail.push(line);
    if (tail.length > LOG_TAIL_LINES) tail.shift();
    if (!heard) {
      const match = LISTENING.exec(line);
      if (match !== null) {
        heard = true;
        resolveListening(match[1]);
      }
    }
    if (options.onProblem !== undefined && line.startsWith('{')) {
      try {
        const entry = JSON.parse(line) as { level?: number; msg?: string };
        if (typeof entry.level === 'number' && entry.level >= 40 && typeof entry.msg === 'string') options.onProblem(options.name, entry.msg);
      } catch {
        // Not a log entry of ours: it is in the file anyway.
      }
    }
  };
  const stdoutClosed = child.stdout === null ? Promise.resolve() : once(createInterface({ input: child.stdout }).on('line', onLine), 'close');
  const stderrClosed = child.stderr === null ? Promise.resolve() : once(createInterface({ input: child.stderr }).on('line', onLine), 'close');
  const exit = once(child, 'exit').then(async ([code]) => {
    await Promise.all([stdoutClosed, stderrClosed]);
    if (!heard) rejectListening(new Error(`${options.name} exited (${String(code ?? child.signalCode)}) before listening; the end of ${options.logFile}:\n${tail.join('\n')}`));
    await new Promise((resolve) => log.end(resolve));
    return code as number | null;
  });

  return {
    name: options.name,
    logFile: options.logFile,
    child,
    listening,
    exited: () => exit,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exit;
    },
  };
}

import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

const WORKSPACE = join(__dirname, '../../../..');

/** A composition root (`apps/x/src/main.ts`, a tools script) running as its own process. */
export interface TsProcess {
  readonly child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of the pattern in stdout; rejects if the process exits or time runs out. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** SIGTERM (or the signal given), then the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves with the exit code once the process has exited by itself. */
  exited(): Promise<number | null>;
}

/**
 * Runs a TypeScript entry point of the workspace the way `npm start` does (tools/scripts/run-ts.mjs:
 * SWC with decorator metadata, workspace packages from source), with only PATH and HOME from the
 * test's environment plus the variables given.
 */
export function startTsProcess(entry: string, env: Readonly<Record<string, string>> = {}): TsProcess {
  const child = spawn(process.execPath, [join(WORKSPACE, 'tools/scripts/run-ts.mjs'), join(WORKSPACE, entry)], {
    cwd: WORKSPACE,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exit = once(child, 'exit').then(([code]) => code as number | null);
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    async waitFor(pattern, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(out);
        if (match !== null) return match;
        if (child.exitCode !== null) throw new Error(`${entry} exited ${child.exitCode} before printing ${pattern}:\n${out}\n${err}`);
        if (Date.now() > deadline) throw new Error(`${entry} did not print ${pattern} within ${timeoutMs} ms:\n${out}\n${err}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      return exit;
    },
    exited: () => exit,
  };
}

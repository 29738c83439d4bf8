import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

export const ROOT = resolve(__dirname, '../../../..');
const RUN_TS = resolve(ROOT, 'tools/scripts/run-ts.mjs');

/** The servers' core and the load generator's, on a machine with at least two. */
export const SERVER_CORE = 0;
export const LOAD_CORE = 1;

let tasksetWorks: boolean | undefined;

/** Whether `taskset -c 1` works here (the binary exists and the machine has a second core we may use). */
export function canPin(): boolean {
  tasksetWorks ??= spawnSync('taskset', ['-c', String(LOAD_CORE), 'true'], { stdio: 'ignore' }).status === 0;
  return tasksetWorks;
}

/** The command line, under `taskset -c <core>` when pinning works. */
export function pinned(core: number, command: string, args: readonly string[]): [string, string[]] {
  return canPin() ? ['taskset', ['-c', String(core), command, ...args]] : [command, [...args]];
}

export interface BenchServer {
  readonly name: string;
  readonly url: string;
  /** Whatever followed the URL on the READY line (the gateway's policy names). */
  readonly extra: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts `tools/bench/src/servers/<file>` as a child process on the servers' core and waits for
 * its READY line on fd 3; its stdout (the gateway's access log) goes to /dev/null, its stderr to ours.
 */
export function startTsServer(file: string, args: readonly string[], nodeArgs: readonly string[] = []): Promise<BenchServer> {
  const [command, argv] = pinned(SERVER_CORE, process.execPath, [...nodeArgs, RUN_TS, resolve(__dirname, '../servers', file), ...args]);
  const child = spawn(command, argv, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit', 'pipe'] });
  return new Promise((resolveStart, reject) => {
    const lines = createInterface({ input: child.stdio[3] as Readable });
    lines.on('line', (line) => {
      const match = /^READY (\S+) (\S+) ?(.*)$/.exec(line);
      if (match) resolveStart({ name: match[1], url: match[2], extra: match[3], child, stop: () => stop(child) });
    });
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code} before it was ready`)));
  });
}

/** SIGTERM, then SIGKILL after 5 s; resolves when the process has exited. */
export function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}

/** Resident set size of a process and its descendants (nginx: master and worker), in bytes; 0 once it is gone. */
export function treeRss(pid: number): number {
  let total = 0;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    total += Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
    for (const child of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) total += treeRss(Number(child));
  } catch {
    // gone, or no /proc (not Linux)
  }
  return total;
}

/** Samples a process tree's RSS every 250 ms; `stop()` returns the largest sample (MiB). */
export function sampleRss(pid: number): { stop(): number } {
  let max = treeRss(pid);
  const timer = setInterval(() => (max = Math.max(max, treeRss(pid))), 250);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(max, treeRss(pid)) / 2 ** 20;
    },
  };
}

import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

import { LOAD_CORE, ROOT, pinned } from '../process/bench-process.util';
import { RESULT_PREFIX } from './load-spec.type';
import type { LoadResult, LoadSpec } from './load-spec.type';

const RUN_TS = resolve(ROOT, 'tools/scripts/run-ts.mjs');

/** Runs the load generator as a child process on its own core and returns its result. */
export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const [command, argv] = pinned(LOAD_CORE, process.execPath, [RUN_TS, resolve(__dirname, 'load-generator.ts'), JSON.stringify(spec)]);
  const child = spawn(command, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolveRun, reject) => {
    let result: LoadResult | undefined;
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith(RESULT_PREFIX)) result = JSON.parse(line.slice(RESULT_PREFIX.length)) as LoadResult;
    });
    child.once('close', (code) => (result !== undefined ? resolveRun(result) : reject(new Error(`the load generator exited with ${code} without a result`))));
  });
}

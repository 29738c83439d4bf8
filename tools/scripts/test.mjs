#!/usr/bin/env node
// npm test: PostgreSQL and Redis up, then lint (module boundaries included) and typecheck side by
// side, then every Jest project in one run; ends with one "N passed, N failed" line.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { ensureServices } from './services.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = (name) => resolve(root, 'node_modules/.bin', name);
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_SKIP_NX_CACHE: process.env.NX_SKIP_NX_CACHE ?? 'false' };

function run(label, command, args) {
  return new Promise((resolvePromise) => {
    const started = Date.now();
    const child = spawn(command, args, { cwd: root, env, stdio: 'inherit' });
    child.on('close', (code) => {
      console.log(`${label}: ${code === 0 ? 'ok' : `failed (exit ${code})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      resolvePromise(code === 0);
    });
  });
}

try {
  await ensureServices();
} catch (error) {
  console.error(error.message);
  process.exit(1);
}

// The module-boundary rule reads Nx's cached project graph and silently skips without one.
if (!(await run('project graph', bin('nx'), ['show', 'projects', '--json']))) process.exit(1);

const [lint, typecheck] = await Promise.all([
  run('lint', bin('eslint'), ['.', '--max-warnings', '0']),
  run('typecheck', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']),
]);

mkdirSync(resolve(root, 'tmp'), { recursive: true });
const resultsFile = resolve(root, 'tmp/jest-results.json');
const extra = process.argv.slice(2);
const tests = await run('tests', bin('jest'), ['--ci', '--maxWorkers=2', '--json', `--outputFile=${resultsFile}`, ...extra]);

let passed = 0;
let failed = 0;
try {
  const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
  passed = results.numPassedTests;
  failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
} catch {
  failed += 1;
}
const ok = lint && typecheck && tests && failed === 0 && passed > 0;
if (!lint) console.log('lint failed');
if (!typecheck) console.log('typecheck failed');
console.log(`${passed} passed, ${failed} failed`);
process.exit(ok ? 0 : 1);

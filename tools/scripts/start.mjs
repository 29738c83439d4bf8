#!/usr/bin/env node
// npm start: the whole platform in one process on the embedded defaults.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
process.argv = [process.argv[0], resolve(root, 'tools/scripts/run-ts.mjs'), resolve(root, 'apps/standalone/src/main.ts'), ...process.argv.slice(2)];
await import('./run-ts.mjs');

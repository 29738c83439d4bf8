#!/usr/bin/env node
// `lgsp` — the operator's CLI (npx lgsp ... from the repository).
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
process.argv = [process.argv[0], resolve(root, 'tools/scripts/run-ts.mjs'), resolve(root, 'tools/cli/src/main.ts'), ...process.argv.slice(2)];
await import(resolve(root, 'tools/scripts/run-ts.mjs'));

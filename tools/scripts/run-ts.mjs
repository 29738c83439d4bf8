#!/usr/bin/env node
// Runs a TypeScript entry point in this process: SWC compiles each module as it is loaded (with
// decorator metadata, which Nest needs) and workspace packages resolve to their sources.
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const entry = process.argv[2];
if (!entry) {
  console.error('usage: run-ts.mjs <entry.ts> [args...]');
  process.exit(2);
}
process.env.SWC_NODE_PROJECT ??= resolve(root, 'tsconfig.runtime.json');
process.argv.splice(1, 1);
const require = createRequire(import.meta.url);
require('@swc-node/register');
require(resolve(entry));

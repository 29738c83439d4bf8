#!/usr/bin/env node
// npm run build: the production build the container images run. Every app and lib is compiled by
// SWC, file by file (the same transform as tools/scripts/run-ts.mjs: CommonJS, legacy decorators
// with their metadata, which Nest's dependency injection needs), into dist/ with the tree's layout,
// so paths computed from __dirname (migrations, openapi/, demo files) hold. `@lgsp/*` imports
// resolve to the compiled libs through dist/node_modules/@lgsp/<name>, a stub package generated
// here: node finds it before the workspace links of the root node_modules, and nothing at run time
// needs @swc-node/register or any other devDependency. The type check stays `npm run typecheck`'s.
//
//   node tools/scripts/build.mjs [--out <dir>] [--project <apps/x|libs/y>]...
// --project limits the build to the projects named (the libs they import must be named too).
import { cp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import swc from '@swc/core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Files of the tree a compiled module reads at run time, copied beside the output. */
const ASSETS = ['openapi', 'libs/data/migrations', 'apps/standalone/demo'];
const SKIPPED = /\.(spec|e2e-spec)\.ts$|\.d\.ts$/;

const SWC_OPTIONS = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: true,
  swcrc: false,
  configFile: false,
};

async function* walk(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}

async function projectsOf(only) {
  if (only.length > 0) return only.map((p) => resolve(root, p));
  const groups = await Promise.all(['apps', 'libs'].map(async (group) => (await readdir(join(root, group), { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => join(root, group, e.name))));
  return groups.flat();
}

/** Compiles one .ts file to <out>/<same path>.js with its source map; copies any other file of src/ as is. */
async function emit(file, out) {
  const target = join(out, relative(root, file));
  await mkdir(dirname(target), { recursive: true });
  if (!file.endsWith('.ts')) {
    await cp(file, target);
    return;
  }
  const js = target.replace(/\.ts$/, '.js');
  const result = await swc.transformFile(file, { ...SWC_OPTIONS, filename: file, sourceFileName: relative(dirname(js), file), outputPath: js });
  await writeFile(js, `${result.code}\n//# sourceMappingURL=${js.split(sep).pop()}.map\n`);
  if (result.map) await writeFile(`${js}.map`, result.map);
}

/** dist/node_modules/@lgsp/<name>: a package whose main re-exports the compiled entry of the project. */
async function linkPackage(project, out) {
  const manifest = JSON.parse(await readFile(join(project, 'package.json'), 'utf8'));
  if (typeof manifest.main !== 'string' || !manifest.name?.startsWith('@lgsp/')) return undefined;
  const dir = join(out, 'node_modules', manifest.name);
  const entry = join(out, relative(root, project), manifest.main.replace(/\.ts$/, '.js'));
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), `${JSON.stringify({ name: manifest.name, private: true, main: 'index.js' }, null, 2)}\n`);
  await writeFile(join(dir, 'index.js'), `module.exports = require(${JSON.stringify(relative(dir, entry).split(sep).join('/'))});\n`);
  return manifest.name;
}

async function build({ out, only }) {
  const started = Date.now();
  await rm(out, { recursive: true, force: true });
  const projects = await projectsOf(only);
  const files = [];
  for (const project of projects) {
    for await (const file of walk(join(project, 'src'))) if (!SKIPPED.test(file)) files.push(file);
  }
  // A bounded pool: SWC works off the main thread, the file system keeps up.
  let next = 0;
  const worker = async () => {
    while (next < files.length) await emit(files[next++], out);
  };
  await Promise.all(Array.from({ length: Math.max(2, availableParallelism() * 2) }, worker));
  const packages = (await Promise.all(projects.map((p) => linkPackage(p, out)))).filter(Boolean);
  for (const asset of ASSETS) await cp(join(root, asset), join(out, asset), { recursive: true });
  console.log(`built ${files.length} files of ${projects.length} projects (${packages.length} packages) into ${relative(root, out) || out} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

const { values } = parseArgs({ options: { out: { type: 'string', default: 'dist' }, project: { type: 'string', multiple: true, default: [] } } });
await build({ out: resolve(root, values.out), only: values.project });

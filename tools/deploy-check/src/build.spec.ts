import { execFile, spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { closedPort } from '@lgsp/testing';

import { ROOT } from './lib/deploy-files.util';

const run = promisify(execFile);

/**
 * A preload that makes the root package's devDependencies unresolvable, as they are in the runtime
 * image (npm ci --omit=dev): a compiled app that needs one fails to start.
 */
function productionOnlyPreload(): string {
  const { devDependencies } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  return `
const Module = require('node:module');
const dev = new Set(${JSON.stringify(Object.keys(devDependencies))});
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const name = request.startsWith('@') ? request.split('/').slice(0, 2).join('/') : request.split('/')[0];
  if (dev.has(name)) throw Object.assign(new Error('devDependency ' + name + ' required at run time'), { code: 'MODULE_NOT_FOUND' });
  return resolve.call(this, request, ...rest);
};
`;
}

/** A compiled entry of dist/ under plain node, in an empty working directory, with only the given environment. */
function startCompiled(dist: string, preload: string, entry: string, cwd: string, env: Record<string, string>): { child: ChildProcessWithoutNullStreams; output: () => string } {
  const child = spawn(process.execPath, ['--require', preload, join(dist, entry)], { cwd, env: { PATH: process.env.PATH ?? '', HOME: cwd, ...env } });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  return { child, output: () => output };
}

async function waitFor(pattern: RegExp, process: { child: ChildProcessWithoutNullStreams; output: () => string }): Promise<RegExpExecArray> {
  for (;;) {
    const match = pattern.exec(process.output());
    if (match !== null) return match;
    if (process.child.exitCode !== null) throw new Error(`exited ${process.child.exitCode} before ${pattern}:\n${process.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stop(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exit = once(child, 'exit');
  child.kill('SIGTERM');
  return (await exit)[0] as number | null;
}

describe('the production build (tools/scripts/build.mjs)', () => {
  let dir: string;
  let dist: string;
  let preload: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lgsp-build-'));
    dist = join(dir, 'dist');
    preload = join(dir, 'production-only.cjs');
    await writeFile(preload, productionOnlyPreload());
    // The image's layout: /app/node_modules beside /app/dist.
    await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    await run(process.execPath, [join(ROOT, 'tools/scripts/build.mjs'), '--out', dist], { cwd: ROOT });
  }, 60_000);

  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('compiles every app and lib to JavaScript, with the assets read at run time and @lgsp/* resolving to the compiled libs', async () => {
    for (const file of ['apps/gateway/src/main.js', 'apps/demo-provider/src/main.js', 'libs/config/src/index.js', 'libs/data/migrations', 'openapi/demo-provider.yaml']) expect([file, existsSync(join(dist, file))]).toEqual([file, true]);
    expect(existsSync(join(dist, 'libs/config/src/lib/lgsp-config.spec.js'))).toBe(false);
    const { stdout } = await run(process.execPath, ['-p', "require.resolve('@lgsp/config') + ' ' + require('@lgsp/config').configVariablesOf.name"], { cwd: join(dist, 'apps/gateway/src') });
    expect(stdout.trim()).toBe(`${join(dist, 'node_modules/@lgsp/config/index.js')} configVariablesOf`);
    // Decorator metadata, which Nest's dependency injection reads, is emitted.
    expect(readFileSync(join(dist, 'libs/gateway-core/src/lib/health/health.controller.js'), 'utf8')).toMatch(/design:paramtypes/);
  });

  it('runs the demo provider and the gateway from dist/ under plain node without any devDependency', async () => {
    const provider = startCompiled(dist, preload, 'apps/demo-provider/src/main.js', dir, { LGSP_DEMO_PROVIDER_PORT: '0' });
    const port = await closedPort();
    const gateway = startCompiled(dist, preload, 'apps/gateway/src/main.js', dir, { LGSP_PORT: String(port), LGSP_DATA_DIR: join(dir, 'gateway-data') });
    try {
      const [, providerUrl] = await waitFor(/demo-provider listening on (http:\/\/\S+)/, provider);
      expect((await fetch(`${providerUrl}/metrics`)).status).toBe(200);
      await waitFor(/LGSP gateway listening on/, gateway);
      const live = await fetch(`http://127.0.0.1:${port}/health/live`);
      expect([live.status, await live.json()]).toEqual([200, { status: 'ok' }]);
    } finally {
      expect([await stop(provider.child), await stop(gateway.child)]).toEqual([0, 0]);
    }
    expect(provider.output() + gateway.output()).not.toMatch(/devDependency .* required at run time/);
  }, 60_000);

  it('fails a compiled app that needs a devDependency at run time', async () => {
    const script = join(dir, 'needs-dev.js');
    await writeFile(script, "require('@swc-node/register');\n");
    const child = startCompiled(dir, preload, 'needs-dev.js', dir, {});
    const [code] = (await once(child.child, 'exit')) as [number];
    expect(code).not.toBe(0);
    expect(child.output()).toMatch(/devDependency @swc-node\/register required at run time/);
  });
});

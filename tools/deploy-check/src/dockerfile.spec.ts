import { exists, readText } from './lib/deploy-files.util';
import { APP_TARGETS, dockerfileProblems, ignoredBy } from './lib/dockerfile-check.util';
import { imageEnv, parseDockerfile } from './lib/dockerfile.util';

describe('docker/Dockerfile', () => {
  const text = readText('docker/Dockerfile');
  const ignore = readText('docker/Dockerfile.dockerignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

  it('builds every app on Node 24 slim, as node under tini, with a healthcheck, from files that exist', () => {
    expect(dockerfileProblems(text, ignore, exists)).toEqual([]);
  });

  it('installs production dependencies only in the runtime image, compiled by the build stage', () => {
    const { stages } = parseDockerfile(text);
    const runs = (name: string) => stages.find((s) => s.name === name)?.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args) ?? [];
    expect(runs('prod-deps').join(' ')).toMatch(/npm ci --omit=dev/);
    expect(runs('build').join(' ')).toMatch(/node tools\/scripts\/build\.mjs --out dist/);
    const runtimeCopies = stages.find((s) => s.name === 'runtime')?.instructions.filter((i) => i.keyword === 'COPY').map((i) => `${i.flags.from ?? 'context'} ${i.args}`);
    expect(runtimeCopies).toEqual(expect.arrayContaining(['prod-deps /src/node_modules ./node_modules', 'build /src/dist ./dist']));
    expect(runtimeCopies?.some((c) => c.startsWith('deps '))).toBe(false);
    for (const target of Object.keys(APP_TARGETS)) expect(imageEnv(stages, stages.find((s) => s.name === target)!)).toMatchObject({ NODE_ENV: 'production', LGSP_DATA_DIR: '/var/lib/lgsp' });
  });

  it('reports a broken file: a CMD to an app that does not exist, shell forms, a missing COPY source, no USER', () => {
    const broken = text
      .replace('dist/apps/iam/src/main.js', 'dist/apps/iam/src/nope.js')
      .replace('CMD ["node", "--enable-source-maps", "dist/apps/registry/src/main.js"]', 'CMD node dist/apps/registry/src/main.js')
      .replace('COPY openapi ./openapi', 'COPY openapi-missing ./openapi')
      .replace('USER node\n', '')
      .replace('FROM runtime AS ledger', 'FROM runtime AS ledger-service');
    const problems = dockerfileProblems(broken, ignore, exists);
    expect(problems).toEqual(
      expect.arrayContaining([
        'iam: CMD runs dist/apps/iam/src/nope.js, not dist/apps/iam/src/main.js',
        'registry: CMD is not node <entry> in exec form',
        expect.stringMatching(/COPY openapi-missing: no such file/),
        'gateway: does not run as USER node',
        'no target ledger',
      ]),
    );
    expect(dockerfileProblems(text, ignore, (path) => path !== 'apps/gateway/src/main.ts')).toEqual(['gateway: CMD runs dist/apps/gateway/src/main.js, compiled from apps/gateway/src/main.ts, which does not exist']);
  });

  it('keeps node_modules, dist and the rest of docker/ out of the context, except the healthcheck script', () => {
    expect(['node_modules', 'libs/x/node_modules/y', 'dist', 'docker/compose.yaml', '.git'].filter((p) => !ignoredBy(ignore, p))).toEqual([]);
    expect(['docker/healthcheck.mjs', 'apps/gateway/src/main.ts', 'package-lock.json'].filter((p) => ignoredBy(ignore, p))).toEqual([]);
  });
});

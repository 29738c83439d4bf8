import { effective, execForm, imageEnv, parseDockerfile } from './dockerfile.util';

/** The image of each app: the Dockerfile target and the composition root it runs. */
export const APP_TARGETS: Readonly<Record<string, string>> = {
  gateway: 'apps/gateway',
  iam: 'apps/iam',
  registry: 'apps/registry',
  ledger: 'apps/ledger',
  'demo-provider': 'apps/demo-provider',
};

export const NODE_IMAGE = 'node:24-bookworm-slim';

/** Whether a context path is left out by a .dockerignore (plain paths, `**` prefixes and `!` re-inclusions: what ours uses). */
export function ignoredBy(patterns: readonly string[], path: string): boolean {
  let ignored = false;
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const pattern = (negated ? raw.slice(1) : raw).replace(/^\*\*\//, '');
    const segments = path.split('/');
    const matches = raw.replace(/^!/, '').startsWith('**/') ? segments.some((_s, i) => segments.slice(i).join('/').startsWith(pattern) && (segments.slice(i).join('/') === pattern || segments.slice(i).join('/').startsWith(`${pattern}/`))) : path === pattern || path.startsWith(`${pattern}/`);
    if (matches) ignored = !negated;
  }
  return ignored;
}

/**
 * What is wrong with the Dockerfile, as a list of problems: every app target exists on Node 24 LTS
 * slim, runs as `node` under tini in exec form, has a HEALTHCHECK on a port it sets and EXPOSEs,
 * and CMDs a compiled entry whose source exists; every COPY source exists in the context.
 */
export function dockerfileProblems(text: string, ignore: readonly string[], exists: (path: string) => boolean): string[] {
  const problems: string[] = [];
  const { args, stages } = parseDockerfile(text);
  const nodeImage = args.find((a) => a.keyword === 'ARG' && a.args.startsWith('NODE_IMAGE='))?.args.split('=')[1];
  if (nodeImage !== NODE_IMAGE) problems.push(`ARG NODE_IMAGE is ${nodeImage}, not ${NODE_IMAGE}`);
  stages.forEach((stage, index) => {
    if (stage.from !== '${NODE_IMAGE}' && !stages.slice(0, index).some((s) => s.name === stage.from)) problems.push(`stage ${stage.name}: FROM ${stage.from} is neither the Node image nor an earlier stage`);
    for (const copy of stage.instructions.filter((i) => i.keyword === 'COPY')) {
      const parts = copy.args.split(/\s+/);
      const sources = parts.slice(0, -1);
      if (copy.flags.from !== undefined) {
        if (!stages.slice(0, index).some((s) => s.name === copy.flags.from)) problems.push(`line ${copy.line}: COPY --from=${copy.flags.from} is not an earlier stage`);
        continue;
      }
      for (const source of sources) {
        if (!exists(source)) problems.push(`line ${copy.line}: COPY ${source}: no such file in the build context`);
        else if (ignoredBy(ignore, source)) problems.push(`line ${copy.line}: COPY ${source}: left out of the context by Dockerfile.dockerignore`);
      }
    }
  });
  for (const [target, app] of Object.entries(APP_TARGETS)) {
    const stage = stages.find((s) => s.name === target);
    if (stage === undefined) {
      problems.push(`no target ${target}`);
      continue;
    }
    const env = imageEnv(stages, stage);
    if (effective(stages, stage, 'USER')?.args !== 'node') problems.push(`${target}: does not run as USER node`);
    const entrypoint = execForm(effective(stages, stage, 'ENTRYPOINT')?.args ?? '');
    if (entrypoint?.[0] !== '/usr/bin/tini') problems.push(`${target}: ENTRYPOINT is not tini in exec form (SIGTERM must reach node)`);
    const cmd = execForm(effective(stages, stage, 'CMD')?.args ?? '');
    const entry = cmd?.[cmd.length - 1];
    if (cmd?.[0] !== 'node' || entry === undefined) problems.push(`${target}: CMD is not node <entry> in exec form`);
    else if (entry !== `dist/${app}/src/main.js`) problems.push(`${target}: CMD runs ${entry}, not dist/${app}/src/main.js`);
    else if (!exists(`${app}/src/main.ts`)) problems.push(`${target}: CMD runs ${entry}, compiled from ${app}/src/main.ts, which does not exist`);
    const healthcheck = effective(stages, stage, 'HEALTHCHECK');
    const check = execForm(healthcheck?.args.replace(/^CMD\s+/, '') ?? '');
    const [, script, portVariable] = check ?? [];
    if (check?.[0] !== 'node' || script !== 'healthcheck.mjs') problems.push(`${target}: HEALTHCHECK is not node healthcheck.mjs in exec form`);
    else if (env[portVariable] === undefined) problems.push(`${target}: HEALTHCHECK reads ${portVariable}, which the image does not set`);
    else if (!stage.instructions.some((i) => i.keyword === 'EXPOSE' && i.args.split(/\s+/).includes(env[portVariable]))) problems.push(`${target}: EXPOSE does not include ${portVariable}=${env[portVariable]}`);
  }
  return problems;
}

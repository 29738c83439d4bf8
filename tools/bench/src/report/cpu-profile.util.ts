import { readFile } from 'node:fs/promises';

/** The parts of a V8 `.cpuprofile` (Chrome DevTools format) this summary reads. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

export interface ProfileLine {
  name: string;
  /** Share of all samples, percent. */
  share: number;
}

export interface ProfileSummary {
  /** Sampled wall time, seconds. */
  seconds: number;
  samples: number;
  /** Self time by area: a node_modules package, a workspace lib, node internals, GC, idle. */
  areas: ProfileLine[];
  /** Self time by function (function, file:line). */
  functions: ProfileLine[];
}

/** Where a function's code lives: `fastify`, `@lgsp/gateway-core`, `node:internal`, `(garbage collector)`, ... */
function areaOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0] === 'internal' ? 'internal/' + url.split('/')[1] : url.slice(5)}`;
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const lib = /\/(libs|apps|tools)\/([^/]+)\//.exec(url);
  return lib === null ? url : `${lib[1]}/${lib[2]}`;
}

function top(counts: Map<string, number>, total: number, limit: number): ProfileLine[] {
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, hits]) => ({ name, share: (100 * hits) / total }));
}

/** Self-time summary of a CPU profile written by `node --cpu-prof`. */
export async function summarizeCpuProfile(file: string, limit = 20): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const hitsById = new Map<number, number>();
  if (profile.samples !== undefined) for (const id of profile.samples) hitsById.set(id, (hitsById.get(id) ?? 0) + 1);
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const hits = hitsById.get(node.id) ?? node.hitCount ?? 0;
    if (hits === 0) continue;
    total += hits;
    const { functionName, url, lineNumber } = node.callFrame;
    const area = areaOf(url, functionName);
    areas.set(area, (areas.get(area) ?? 0) + hits);
    const where = url === '' ? '' : ` ${url.replace(/^file:\/\//, '').replace(/^.*?\/(node_modules|libs|apps|tools)\//, '$1/')}:${lineNumber + 1}`;
    const name = `${functionName || '(anonymous)'}${where}`;
    functions.set(name, (functions.get(name) ?? 0) + hits);
  }
  return { seconds: (profile.endTime - profile.startTime) / 1e6, samples: total, areas: top(areas, total, limit), functions: top(functions, total, limit) };
}

export function renderProfileSummary(title: string, summary: ProfileSummary): string {
  const lines = [`### CPU profile: ${title}`, '', `${summary.samples} samples over ${summary.seconds.toFixed(1)} s (self time).`, '', '| area | self % |', '|---|---:|'];
  for (const area of summary.areas) lines.push(`| ${area.name} | ${area.share.toFixed(1)} |`);
  lines.push('', '| function | self % |', '|---|---:|');
  for (const fn of summary.functions) lines.push(`| \`${fn.name}\` | ${fn.share.toFixed(1)} |`);
  return `${lines.join('\n')}\n`;
}

/** One instruction of a Dockerfile: its keyword, its flags (`--from=build`) and the rest. */
export interface DockerInstruction {
  readonly keyword: string;
  readonly flags: Readonly<Record<string, string>>;
  readonly args: string;
  readonly line: number;
}

export interface DockerStage {
  readonly name?: string;
  readonly from: string;
  readonly instructions: readonly DockerInstruction[];
}

/** Instructions (line continuations joined, comments and parser directives dropped) grouped by stage. */
export function parseDockerfile(text: string): { args: DockerInstruction[]; stages: DockerStage[] } {
  const instructions: DockerInstruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (/^\s*(#.*)?$/.test(lines[i])) continue;
    const start = i;
    let logical = lines[i];
    while (/\\\s*$/.test(logical) && i + 1 < lines.length) logical = `${logical.replace(/\\\s*$/, ' ')}${lines[++i]}`;
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(logical);
    if (match === null) throw new Error(`line ${start + 1}: not an instruction: ${logical}`);
    let rest = match[2].trim();
    const flags: Record<string, string> = {};
    for (let flag = /^--([a-z-]+)(?:=(\S+))?\s+/.exec(rest); flag !== null; flag = /^--([a-z-]+)(?:=(\S+))?\s+/.exec(rest)) {
      flags[flag[1]] = flag[2] ?? 'true';
      rest = rest.slice(flag[0].length);
    }
    instructions.push({ keyword: match[1].toUpperCase(), flags, args: rest, line: start + 1 });
  }
  const args: DockerInstruction[] = [];
  const stages: { name?: string; from: string; instructions: DockerInstruction[] }[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [from, as, name] = instruction.args.split(/\s+/);
      stages.push({ from, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else if (stages.length === 0) {
      args.push(instruction);
    } else {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return { args, stages };
}

/** The JSON array of an exec-form instruction (CMD, ENTRYPOINT, HEALTHCHECK CMD), or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  try {
    const parsed: unknown = JSON.parse(args);
    return Array.isArray(parsed) && parsed.every((a) => typeof a === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** ENV instructions of a stage, `KEY=value` pairs. */
export function envOf(stage: DockerStage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const instruction of stage.instructions.filter((i) => i.keyword === 'ENV')) {
    for (const pair of instruction.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S+)/g)) env[pair[1]] = pair[2].replace(/^"|"$/g, '');
  }
  return env;
}

/** A stage and every stage it is built FROM, nearest first. */
export function lineage(stages: readonly DockerStage[], stage: DockerStage): DockerStage[] {
  const chain = [stage];
  for (let parent = stages.find((s) => s.name === stage.from); parent !== undefined; parent = stages.find((s) => s.name === parent?.from)) chain.push(parent);
  return chain;
}

/** The environment a stage's containers start with: its own ENV over its ancestors'. */
export function imageEnv(stages: readonly DockerStage[], stage: DockerStage): Record<string, string> {
  return Object.assign({}, ...lineage(stages, stage).reverse().map(envOf));
}

/** The last value of an instruction along a stage's lineage (USER, CMD, ENTRYPOINT, HEALTHCHECK). */
export function effective(stages: readonly DockerStage[], stage: DockerStage, keyword: string): DockerInstruction | undefined {
  for (const s of lineage(stages, stage)) {
    const found = s.instructions.filter((i) => i.keyword === keyword).pop();
    if (found !== undefined) return found;
  }
  return undefined;
}

export interface DeclarativeConfigProblem {
  /** Where in the file, as consumers[0].credentials[0].environment; empty for the whole file. */
  readonly path: string;
  readonly message: string;
}

/** A declarative file the registry refuses; the message lists every problem, one per line. */
export class DeclarativeConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly DeclarativeConfigProblem[],
  ) {
    super(problems.map((problem) => formatProblem(source, problem)).join('\n'));
    this.name = 'DeclarativeConfigError';
  }
}

function formatProblem(source: string, { path, message }: DeclarativeConfigProblem): string {
  return path ? `${source}: ${path}: ${message}` : `${source}: ${message}`;
}

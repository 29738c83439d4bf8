/** The command line is wrong (a missing option, an unreadable number): exit 2, nothing was sent. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

/** The command could not do it (unreachable listener, unreadable file, refused token request): exit 1. */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';
}

import { runCli } from './cli';
import { CLI_COMMANDS } from './cli-commands.constant';

/** `lgsp` (tools/cli/bin/lgsp.mjs runs this file). */
runCli(process.argv.slice(2), CLI_COMMANDS, {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`lgsp: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);

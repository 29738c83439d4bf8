import { parseArgs } from 'node:util';

import type { CliCommand, CliIo, ExitCodeValue } from './cli-command.type';
import { ExitCode } from './cli-command.type';

function overview(commands: readonly CliCommand[]): string {
  const width = Math.max(...commands.map((c) => c.path.join(' ').length));
  return [
    'Usage: lgsp <command> [options]',
    '',
    "The LGSP operator's command line. 'admin bootstrap' works on the registry itself and reads the",
    "platform's configuration (DATABASE_URL, LGSP_DATA_DIR, ...; see docs/configuration.md); the other",
    'admin commands call the admin API over HTTP (LGSP_ADMIN_URL, LGSP_ADMIN_TOKEN, ...; see docs/registry.md).',
    "'call' calls an API through the platform as a consumer system (LGSP_URL, LGSP_CLIENT_ID, ...; see docs/consumers.md).",
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.path.join(' ').padEnd(width)}   ${c.summary}`),
    '',
    "Run 'lgsp <command> --help' for a command's options.",
    '',
  ].join('\n');
}

/** The command whose path the arguments start with (the longest, should paths ever nest). */
function findCommand(commands: readonly CliCommand[], argv: readonly string[]): CliCommand | undefined {
  return [...commands]
    .sort((a, b) => b.path.length - a.path.length)
    .find((command) => command.path.every((word, i) => argv[i] === word));
}

/** Runs one command line; resolves to the exit code. */
export async function runCli(argv: readonly string[], commands: readonly CliCommand[], io: CliIo): Promise<ExitCodeValue> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.stdout(overview(commands));
    return argv.length === 0 ? ExitCode.usage : ExitCode.ok;
  }
  const command = findCommand(commands, argv);
  if (command === undefined) {
    io.stderr(`lgsp: unknown command '${argv.filter((a) => !a.startsWith('-')).join(' ')}'\n\n${overview(commands)}`);
    return ExitCode.usage;
  }
  const names = command.args ?? [];
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv.slice(command.path.length)],
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: names.length > 0,
      strict: true,
    }) as { values: Record<string, string | boolean | undefined>; positionals: string[] });
  } catch (error) {
    io.stderr(`lgsp ${command.path.join(' ')}: ${(error as Error).message}\n\n${command.help}`);
    return ExitCode.usage;
  }
  if (values['help'] === true) {
    io.stdout(command.help);
    return ExitCode.ok;
  }
  if (positionals.length !== names.length) {
    const wanted = names.map((name) => `<${name}>`).join(' ');
    const problem = positionals.length < names.length ? `missing ${names.slice(positionals.length).map((name) => `<${name}>`).join(' ')}` : `unexpected argument '${positionals[names.length]}'`;
    io.stderr(`lgsp ${command.path.join(' ')}: ${problem} (usage: lgsp ${command.path.join(' ')} ${wanted})\n\n${command.help}`);
    return ExitCode.usage;
  }
  return command.run(values, io, Object.fromEntries(names.map((name, i) => [name, positionals[i]])));
}

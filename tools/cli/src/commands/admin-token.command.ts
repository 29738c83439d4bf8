import type { CliCommand } from '../cli-command.type';
import { ExitCode } from '../cli-command.type';
import { CliUsageError } from '../cli.error';
import { clientCredentialsOf, obtainToken, runReporting, TOKEN_HELP, TOKEN_OPTIONS } from './admin-api.util';

const PATH = ['admin', 'token'];

/** `lgsp admin token`: an admin access token, for scripts and for curl. */
export const adminTokenCommand: CliCommand = {
  path: PATH,
  summary: 'Obtain an admin access token and print it',
  help: `Usage: lgsp admin token [--client-id <id> --client-secret <secret>] [--token-url <url>]

Obtains an access token for an admin client (client_credentials at the public token endpoint,
client_secret_basic) and prints it alone on stdout:
  export LGSP_ADMIN_TOKEN=$(lgsp admin token)

Options:
${TOKEN_HELP}  -h, --help                 show this help
`,
  options: TOKEN_OPTIONS,
  run: (values, io) =>
    runReporting(PATH, io, async () => {
      const env = io.env ?? process.env;
      const credentials = clientCredentialsOf(values, env, true);
      if (credentials === undefined) throw new CliUsageError('needs an admin client: --client-id and --client-secret, or LGSP_ADMIN_CLIENT_ID and LGSP_ADMIN_CLIENT_SECRET');
      io.stdout(`${await obtainToken(values, env, credentials)}\n`);
      return ExitCode.ok;
    }),
};

import { loadConfigOrExit, resolveSecretPepper } from '@lgsp/config';
import { migrateDatabase, openDatabase } from '@lgsp/data';
import { bootstrapAdminClient } from '@lgsp/iam';

import type { CliCommand } from '../cli-command.type';
import { ExitCode } from '../cli-command.type';

const CLIENT_ID_PATTERN = /^[A-Za-z0-9._~-]{1,128}$/;

export const adminBootstrapCommand: CliCommand = {
  path: ['admin', 'bootstrap'],
  summary: 'Create the first DGO admin client and print its secret once',
  help: `Usage: lgsp admin bootstrap [--client-id <id>] [--name <name>]

Creates the first DGO admin client (role dgo-admin) when no admin client exists yet, and prints
its client id and secret once: the secret is stored only as a keyed hash and cannot be shown again.
When an admin client already exists it changes nothing, prints no secret and exits 1.

The registry is the one LGSP is configured with: DATABASE_URL (PostgreSQL, with
LGSP_SECRET_PEPPER), or by default the embedded PGlite registry and generated pepper under
LGSP_DATA_DIR (.lgsp). On the embedded default, run it while \`npm start\` is stopped: PGlite's
files are used by one process at a time.

Options:
  --client-id <id>   client id of the admin client (default: dgo-admin)
  --name <name>      a display name for it
  -h, --help         show this help
`,
  options: {
    'client-id': { type: 'string', default: 'dgo-admin' },
    name: { type: 'string' },
  },
  async run(values, io) {
    const clientId = String(values['client-id']);
    if (!CLIENT_ID_PATTERN.test(clientId)) {
      io.stderr('lgsp admin bootstrap: --client-id must be 1 to 128 characters of A-Z a-z 0-9 . _ ~ -\n');
      return ExitCode.usage;
    }
    const name = typeof values['name'] === 'string' ? values['name'] : undefined;
    const config = loadConfigOrExit();
    for (const warning of config.warnings) io.stderr(`warning: ${warning}\n`);
    const pepper = await resolveSecretPepper(config);
    const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
    try {
      await migrateDatabase(database);
      const result = await bootstrapAdminClient(database.db, { clientId, name, pepper });
      if (!result.created) {
        io.stderr(
          result.reason === 'admin-exists'
            ? `An admin client already exists (${result.existing.join(', ')}): bootstrap creates only the first one, and changed nothing.\n` +
                'Manage admin clients through the admin API or the declarative file.\n'
            : `The client id ${clientId} is already used by a consumer credential: choose another with --client-id.\n`,
        );
        return ExitCode.failed;
      }
      io.stdout(
        [
          `Created the first DGO admin client (roles: ${result.roles.join(', ')}).`,
          `client_id: ${result.clientId}`,
          `client_secret: ${result.clientSecret}`,
          'The secret is shown this once and stored only as a keyed hash: keep it safe now.',
          '',
        ].join('\n'),
      );
      return ExitCode.ok;
    } finally {
      await database.close();
    }
  },
};

import type { CliCommand } from '../cli-command.type';
import { CliUsageError } from '../cli.error';
import { adminApiCommand, queryString, stringOption } from './admin-api.util';

/** `lgsp admin export`: the live registry as a declarative file. */
export const adminExportCommand: CliCommand = adminApiCommand({
  path: ['admin', 'export'],
  summary: 'Export the live registry as a declarative file (LGSP_DECLARATIVE_CONFIG format)',
  usage: '[--format yaml|json]',
  description: `Role dgo-admin. Prints the registry in the declarative file's format, secrets as
client_secret_hash only (they verify where LGSP_SECRET_PEPPER is the same). What the format cannot
express is left out: listed on stderr (x-lgsp-skipped) and, in YAML, in a comment at the top. Each
export is kept in the audit trail.
  lgsp admin export > registry.yaml`,
  options: { format: { type: 'string' } },
  optionsHelp: '  --format <yaml|json>       the file format (default yaml)\n',
  request: (values) => {
    const format = stringOption(values, 'format');
    if (format !== undefined && format !== 'yaml' && format !== 'json') throw new CliUsageError(`--format is yaml or json, not '${format}'`);
    return { method: 'GET', path: `/admin/v1/declarative-config${queryString({ format })}`, reportHeaders: ['x-lgsp-skipped'] };
  },
});

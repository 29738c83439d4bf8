import type { CliCommand } from '../cli-command.type';
import { CliUsageError } from '../cli.error';
import { adminApiCommand, integerOption, queryString, readText, requiredOption, segment, stringOption, type OptionValues } from './admin-api.util';

const BASE = '/admin/v1/consumers';
const REASON = { reason: { type: 'string' } } as const;
const REASON_HELP = '  --reason <text>            why: the audit trail keeps it (required)\n';

/** `--env sandbox,production` → the environments array; absent: both (the registry's default). */
function environmentsOf(values: OptionValues): { environments?: string[] } {
  const given = stringOption(values, 'env');
  if (given === undefined) return {};
  const environments = given.split(',').map((part) => part.trim());
  if (environments.some((environment) => environment !== 'sandbox' && environment !== 'production')) {
    throw new CliUsageError(`--env takes sandbox, production or both comma-separated, not '${given}'`);
  }
  return { environments };
}

function subscriptionOf(values: OptionValues) {
  return { api: requiredOption(values, 'api'), version: requiredOption(values, 'version'), ...environmentsOf(values) };
}

const SUBSCRIPTION_OPTIONS = { api: { type: 'string' }, version: { type: 'string' }, env: { type: 'string' } } as const;
const SUBSCRIPTION_HELP = `  --api <domain>             the API, e.g. documents (required)
  --version <version>        its version, e.g. v1 (required)
  --env <environments>       sandbox, production, or sandbox,production (default: both)
`;

function statusCommand(step: 'suspend' | 'resume' | 'terminate', summary: string, description: string): CliCommand {
  return adminApiCommand({
    path: ['admin', 'consumers', step],
    summary,
    usage: '<id> --reason <text>',
    args: ['id'],
    description,
    options: REASON,
    optionsHelp: REASON_HELP,
    request: (values, args) => ({ method: 'POST', path: `${BASE}/${segment(args['id'])}/${step}`, body: { reason: requiredOption(values, 'reason') } }),
  });
}

/** `lgsp admin consumers ...` and `lgsp admin certificates expiring`. */
export const adminConsumersCommands: readonly CliCommand[] = [
  adminApiCommand({
    path: ['admin', 'consumers', 'list'],
    summary: 'List consumer systems',
    usage: '',
    description: "Roles dgo-admin (all) or consumer (its own unit's). GET /admin/v1/consumers.",
    request: () => ({ method: 'GET', path: BASE }),
  }),
  adminApiCommand({
    path: ['admin', 'consumers', 'show'],
    summary: 'Show a consumer system with its credentials, subscriptions, limits and certificates',
    usage: '<id>',
    args: ['id'],
    description: "Roles dgo-admin, consumer (its own unit's). Credentials are listed without secrets.",
    request: (_values, args) => ({ method: 'GET', path: `${BASE}/${segment(args['id'])}` }),
  }),
  statusCommand('suspend', 'Suspend an active consumer system', 'Role dgo-admin. Every gateway refuses its calls (403 consumer_suspended) within seconds; resume restores it.'),
  statusCommand('resume', 'Resume a suspended consumer system', 'Role dgo-admin.'),
  statusCommand('terminate', 'Terminate a consumer system for good, revoking its credentials', 'Role dgo-admin. Final: its credentials can never authenticate again.'),
  adminApiCommand({
    path: ['admin', 'consumers', 'subscribe'],
    summary: 'Subscribe a consumer system to an API version',
    usage: '<id> --api <domain> --version <version> [--env <environments>]',
    args: ['id'],
    description: 'Role dgo-admin. Only published or deprecated versions take subscriptions.',
    options: SUBSCRIPTION_OPTIONS,
    optionsHelp: SUBSCRIPTION_HELP,
    request: (values, args) => ({ method: 'POST', path: `${BASE}/${segment(args['id'])}/subscriptions`, body: subscriptionOf(values) }),
  }),
  adminApiCommand({
    path: ['admin', 'consumers', 'unsubscribe'],
    summary: "Remove a consumer system's subscription to an API version",
    usage: '<id> --api <domain> --version <version> [--env <environments>]',
    args: ['id'],
    description: 'Role dgo-admin.',
    options: SUBSCRIPTION_OPTIONS,
    optionsHelp: SUBSCRIPTION_HELP,
    request: (values, args) => ({ method: 'POST', path: `${BASE}/${segment(args['id'])}/subscriptions/remove`, body: subscriptionOf(values) }),
  }),
  adminApiCommand({
    path: ['admin', 'consumers', 'set-limit'],
    summary: "Set a consumer system's rate limits (its default, or for one API version)",
    usage: '<id> --read <per-minute> --write <per-minute> --reason <text> [--api <domain> --version <version>]',
    args: ['id'],
    description: "Role dgo-admin. Without --api/--version: the system's default for every API.",
    options: { read: { type: 'string' }, write: { type: 'string' }, api: { type: 'string' }, version: { type: 'string' }, ...REASON },
    optionsHelp: `  --read <n>                 reads per minute (required)
  --write <n>                writes per minute (required)
  --api <domain>             only for this API...
  --version <version>        ...and version
${REASON_HELP}`,
    request: (values, args) => {
      const [readPerMinute, writePerMinute] = [integerOption(values, 'read'), integerOption(values, 'write')];
      if (readPerMinute === undefined || writePerMinute === undefined) throw new CliUsageError('--read and --write are required');
      const [api, version] = [stringOption(values, 'api'), stringOption(values, 'version')];
      return {
        method: 'PUT',
        path: `${BASE}/${segment(args['id'])}/limits`,
        body: { ...(api !== undefined && { api }), ...(version !== undefined && { version }), readPerMinute, writePerMinute, reason: requiredOption(values, 'reason') },
      };
    },
  }),
  adminApiCommand({
    path: ['admin', 'consumers', 'add-certificate'],
    summary: 'Register a signing certificate (RFC 9421 keyid) of a consumer system',
    usage: '<id> --key-id <keyid> --pem-file <file>',
    args: ['id'],
    description: `Roles dgo-admin, consumer (its own unit's systems). The certificate must chain to
LGSP_TRUST_ANCHORS and be valid now; intermediates may follow the leaf in the PEM file.`,
    options: { 'key-id': { type: 'string' }, 'pem-file': { type: 'string' } },
    optionsHelp: `  --key-id <keyid>           the keyid the system signs with (required)
  --pem-file <file>          the certificate in PEM (required)
`,
    request: async (values, args) => {
      const id = requiredOption(values, 'key-id');
      return { method: 'POST', path: `${BASE}/${segment(args['id'])}/certificates`, body: { id, pem: await readText(requiredOption(values, 'pem-file')) } };
    },
  }),
  adminApiCommand({
    path: ['admin', 'consumers', 'revoke-certificate'],
    summary: 'Revoke a signing certificate of a consumer system',
    usage: '<id> <keyid> --reason <text>',
    args: ['id', 'keyid'],
    description: "Roles dgo-admin, consumer (its own unit's systems).",
    options: REASON,
    optionsHelp: REASON_HELP,
    request: (values, args) => ({ method: 'DELETE', path: `${BASE}/${segment(args['id'])}/certificates/${segment(args['keyid'])}`, body: { reason: requiredOption(values, 'reason') } }),
  }),
  adminApiCommand({
    path: ['admin', 'consumers', 'notifications'],
    summary: 'What a consumer system is told (deprecations, retirements), oldest first',
    usage: '<id> [--after <id>]',
    args: ['id'],
    description: "Roles dgo-admin, consumer (its own unit's systems). At most 500 per call: poll with --after, the last id read.",
    options: { after: { type: 'string' } },
    optionsHelp: '  --after <id>               only notifications after this one\n',
    request: (values, args) => ({ method: 'GET', path: `${BASE}/${segment(args['id'])}/notifications${queryString({ after: integerOption(values, 'after') })}` }),
  }),
  adminApiCommand({
    path: ['admin', 'certificates', 'expiring'],
    summary: 'Active signing certificates that expire soon (or have), soonest first',
    usage: '[--days <n>]',
    description: 'Role dgo-admin.',
    options: { days: { type: 'string' } },
    optionsHelp: '  --days <n>                 the horizon in days (default 30)\n',
    request: (values) => ({ method: 'GET', path: `/admin/v1/certificates/expiring${queryString({ days: integerOption(values, 'days') })}` }),
  }),
];

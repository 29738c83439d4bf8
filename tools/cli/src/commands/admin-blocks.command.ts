import type { CliCommand } from '../cli-command.type';
import { adminApiCommand, queryString, requiredOption, segment, stringOption } from './admin-api.util';

const BASE = '/admin/v1/blocks';
const TARGET_OPTIONS = ['provider', 'api', 'version', 'operation'] as const;

/** `lgsp admin blocks ...`: kill switches and maintenance windows. */
export const adminBlocksCommands: readonly CliCommand[] = [
  adminApiCommand({
    path: ['admin', 'blocks', 'list'],
    summary: 'List the blocks in force (or all of them)',
    usage: '[--all]',
    description: 'Roles dgo-admin, soc-analyst. By default the blocks not lifted whose window has not ended, scheduled ones included.',
    options: { all: { type: 'boolean' } },
    optionsHelp: '  --all                      every block ever, lifted and ended ones included, newest first\n',
    request: (values) => ({ method: 'GET', path: `${BASE}${queryString({ all: values['all'] === true ? true : undefined })}` }),
  }),
  adminApiCommand({
    path: ['admin', 'blocks', 'create'],
    summary: 'Block a provider, an API version or one operation at once',
    usage: '--scope <scope> [--provider <unit> | --api <domain> --version <version> [--operation <op>]] --reason <text> [--starts-at <time>] [--ends-at <time>]',
    description: `Role dgo-admin. Every gateway answers 503 api_blocked with the reason within seconds, outside the
lifecycle rules; with --ends-at it is a maintenance window (callers get Retry-After).
  lgsp admin blocks create --scope api-version --api documents --version v1 --reason "Nghi vấn lộ lọt dữ liệu"
  lgsp admin blocks create --scope operation --api documents --version v1 --operation 'GET /documents/{id}' \\
    --reason "Bảo trì" --starts-at 2026-12-01T22:00:00+07:00 --ends-at 2026-12-01T23:00:00+07:00`,
    options: {
      scope: { type: 'string' },
      provider: { type: 'string' },
      api: { type: 'string' },
      version: { type: 'string' },
      operation: { type: 'string' },
      reason: { type: 'string' },
      'starts-at': { type: 'string' },
      'ends-at': { type: 'string' },
    },
    optionsHelp: `  --scope <scope>            provider, api-version or operation (required)
  --provider <unit>          with scope provider: every API of this provider unit
  --api <domain>             with scope api-version or operation
  --version <version>        with scope api-version or operation
  --operation <op>           with scope operation: method and path template, 'GET /persons/{id}'
  --reason <text>            callers read it in the 503 problem (required)
  --starts-at <time>         ISO 8601 start of a maintenance window (default now)
  --ends-at <time>           ISO 8601 end (default: until lifted)
`,
    request: (values) => {
      const targets = Object.fromEntries(TARGET_OPTIONS.flatMap((name) => (stringOption(values, name) === undefined ? [] : [[name, stringOption(values, name)]])));
      const [startsAt, endsAt] = [stringOption(values, 'starts-at'), stringOption(values, 'ends-at')];
      return {
        method: 'POST',
        path: BASE,
        body: {
          scope: requiredOption(values, 'scope'),
          ...targets,
          reason: requiredOption(values, 'reason'),
          ...(startsAt !== undefined && { startsAt }),
          ...(endsAt !== undefined && { endsAt }),
        },
      };
    },
  }),
  adminApiCommand({
    path: ['admin', 'blocks', 'lift'],
    summary: 'Lift a block',
    usage: '<id> --reason <text>',
    args: ['id'],
    description: 'Role dgo-admin. The block stays in the history.',
    options: { reason: { type: 'string' } },
    optionsHelp: '  --reason <text>            why: the audit trail keeps it (required)\n',
    request: (values, args) => ({ method: 'POST', path: `${BASE}/${segment(args['id'])}/lift`, body: { reason: requiredOption(values, 'reason') } }),
  }),
];

import type { CliCommand } from '../cli-command.type';
import { adminApiCommand, integerOption, queryString, stringOption } from './admin-api.util';

/** `lgsp admin audit`: the append-only audit trail. */
export const adminAuditCommand: CliCommand = adminApiCommand({
  path: ['admin', 'audit'],
  summary: 'The audit trail, newest first',
  usage: '[--target-type <type>] [--target-id <id>] [--before <entry id>] [--limit <n>]',
  description: `Roles dgo-admin, soc-analyst. Every admin action: who, what, when, before and after, the reason
and the request id.
  lgsp admin audit --target-type registration --target-id REG-20261120-3FA85F64
  lgsp admin audit --target-type api-version --target-id 'documents v1'`,
  options: { 'target-type': { type: 'string' }, 'target-id': { type: 'string' }, before: { type: 'string' }, limit: { type: 'string' } },
  optionsHelp: `  --target-type <type>       registration, consumer, api-version or block
  --target-id <id>           a reference, a consumer id, '<domain> <version>', a block id
  --before <entry id>        older entries than this one (the next page)
  --limit <n>                at most n entries, 1 to 1000 (default 100)
`,
  request: (values) => ({
    method: 'GET',
    path: `/admin/v1/audit${queryString({
      targetType: stringOption(values, 'target-type'),
      targetId: stringOption(values, 'target-id'),
      before: integerOption(values, 'before'),
      limit: integerOption(values, 'limit'),
    })}`,
  }),
});

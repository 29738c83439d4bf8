import type { CliCommand } from '../cli-command.type';
import { CliUsageError } from '../cli.error';
import { adminApiCommand, readDocument, stringOption } from './admin-api.util';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** `--data @file` (JSON or YAML) or `--data '<json>'`. */
async function dataOf(data: string | undefined): Promise<unknown> {
  if (data === undefined) return undefined;
  if (data.startsWith('@')) return readDocument(data.slice(1));
  try {
    return JSON.parse(data);
  } catch (error) {
    throw new CliUsageError(`--data must be JSON or @file: ${(error as Error).message}`);
  }
}

/** `lgsp admin call`: any admin API request, for what has no command of its own. */
export const adminCallCommand: CliCommand = adminApiCommand({
  path: ['admin', 'call'],
  summary: 'Send any admin API request',
  usage: '<METHOD> <path> [--data @file|<json>]',
  args: ['method', 'path'],
  description: `Sends <METHOD> <path> (from the listener's root, with its query string) with the connection's
token, and prints the answer.
  lgsp admin call GET '/admin/v1/registrations?status=submitted'
  lgsp admin call PUT /admin/v1/consumers/tu-ha-noi.qlcb/limits --data @limits.yaml`,
  options: { data: { type: 'string' } },
  optionsHelp: '  --data @file|<json>        the JSON body, inline or from a JSON or YAML file\n',
  request: async (values, args) => {
    const method = args['method'].toUpperCase();
    if (!METHODS.includes(method)) throw new CliUsageError(`<METHOD> must be one of ${METHODS.join(', ')}, not '${args['method']}'`);
    if (!args['path'].startsWith('/')) throw new CliUsageError(`<path> starts with '/', as in /admin/v1/consumers`);
    const body = await dataOf(stringOption(values, 'data'));
    return { method, path: args['path'], ...(body !== undefined && { body }) };
  },
});

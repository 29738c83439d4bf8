import { dirname, resolve } from 'node:path';

import type { CliCommand } from '../cli-command.type';
import { CliFailure } from '../cli.error';
import { adminApiCommand, readDocument, readObject, requiredOption, segment, type AdminRequest } from './admin-api.util';

const BASE = '/admin/v1/apis';
const OPENAPI_FILE_KEYS = ['openapi_file', 'openapiFile'] as const;

function versionPath(args: Readonly<Record<string, string>>): string {
  return `${BASE}/${segment(args['api'])}/versions/${segment(args['version'])}`;
}

async function openApiDocument(file: string): Promise<Record<string, unknown>> {
  const document = await readDocument(file);
  if (document === null || typeof document !== 'object' || Array.isArray(document)) throw new CliFailure(`${file} must hold an OpenAPI document (an object)`);
  return document as Record<string, unknown>;
}

/** The version's fields from the file; `openapi_file` (relative to the file) is read into `openapi`. */
async function registrationBody(file: string): Promise<Record<string, unknown>> {
  const fields = await readObject(file);
  const given = OPENAPI_FILE_KEYS.filter((key) => fields[key] !== undefined);
  if (given.length === 0) return fields;
  if (given.length > 1 || fields['openapi'] !== undefined) throw new CliFailure(`${file}: give the document once, as openapi or as openapi_file`);
  const { [given[0]]: reference, ...rest } = fields;
  if (typeof reference !== 'string' || reference === '') throw new CliFailure(`${file}: ${given[0]} must be a file path`);
  return { ...rest, openapi: await openApiDocument(resolve(dirname(file), reference)) };
}

function lifecycleCommand(step: string, status: string, summary: string, description: string, sunset: boolean): CliCommand {
  return adminApiCommand({
    path: ['admin', 'apis', step],
    summary,
    usage: `<api> <version>${sunset ? ' --sunset <YYYY-MM-DD>' : ''}`,
    args: ['api', 'version'],
    description,
    ...(sunset && {
      options: { sunset: { type: 'string' } },
      optionsHelp: '  --sunset <YYYY-MM-DD>      the day retirement may start: at least 60 days ahead, and 180 days after the successor was published (required)\n',
    }),
    request: (values, args): AdminRequest => ({
      method: 'POST',
      path: `${versionPath(args)}/lifecycle`,
      body: { status, ...(sunset && { sunset: requiredOption(values, 'sunset') }) },
    }),
  });
}

/** `lgsp admin apis ...`: provider API versions and their lifecycle. */
export const adminApisCommands: readonly CliCommand[] = [
  adminApiCommand({
    path: ['admin', 'apis', 'list'],
    summary: 'List API versions',
    usage: '',
    description: 'Any admin client. Drafts and retired versions only for dgo-admin, soc-analyst and the owning provider unit.',
    request: () => ({ method: 'GET', path: BASE }),
  }),
  adminApiCommand({
    path: ['admin', 'apis', 'show'],
    summary: 'Show an API version with its document and routed operations',
    usage: '<api> <version>',
    args: ['api', 'version'],
    description: 'Any admin client (drafts and retired versions: dgo-admin, soc-analyst, the owning provider unit).',
    request: (_values, args) => ({ method: 'GET', path: versionPath(args) }),
  }),
  adminApiCommand({
    path: ['admin', 'apis', 'register'],
    summary: 'Register a new version of an API, as a draft, from a JSON or YAML file',
    usage: '<api> <file>',
    args: ['api', 'file'],
    description: `Roles dgo-admin, provider (its own unit's APIs). The file holds the version's fields:
version, upstreams {sandbox, production}, classification, and for REST the OpenAPI 3.0 document,
inline as openapi or by path as openapi_file (JSON or YAML, relative to the file); for SOAP
kind: soap, wsdlUrl and soapReadActions. Optional: name, provider (dgo-admin, for a new API),
readTimeoutMs, writeTimeoutMs. Publish it next with 'lgsp admin apis publish'.`,
    request: async (_values, args) => ({ method: 'POST', path: `${BASE}/${segment(args['api'])}/versions`, body: await registrationBody(args['file']) }),
  }),
  adminApiCommand({
    path: ['admin', 'apis', 'update-openapi'],
    summary: 'Replace the OpenAPI document of a REST version',
    usage: '<api> <version> <openapi-file>',
    args: ['api', 'version', 'file'],
    description: `Roles dgo-admin, provider (its own unit's). A draft takes any valid document; a published or
deprecated version only a compatible one (422 breaking-change lists each breaking change).`,
    request: async (_values, args) => ({ method: 'PUT', path: `${versionPath(args)}/openapi`, body: { openapi: await openApiDocument(args['file']) } }),
  }),
  lifecycleCommand('publish', 'published', 'Publish a draft (or withdraw a deprecation)', "Roles dgo-admin, provider (its own unit's).", false),
  lifecycleCommand(
    'deprecate',
    'deprecated',
    'Deprecate a published version with its sunset date',
    "Roles dgo-admin, provider (its own unit's). Subscribed consumer systems are notified.",
    true,
  ),
  lifecycleCommand(
    'retire',
    'retired',
    'Retire a deprecated version from its sunset date',
    "Roles dgo-admin, provider (its own unit's). Final: gateways answer 410 api_retired. Subscribed consumer systems are notified.",
    false,
  ),
  adminApiCommand({
    path: ['admin', 'apis', 'delete-draft'],
    summary: 'Delete a draft version',
    usage: '<api> <version>',
    args: ['api', 'version'],
    description: "Roles dgo-admin, provider (its own unit's). Only drafts; retire a published version instead.",
    request: (_values, args) => ({ method: 'DELETE', path: versionPath(args) }),
  }),
];

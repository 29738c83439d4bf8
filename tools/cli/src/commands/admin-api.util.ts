import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';

import { parse as parseYaml } from 'yaml';

import type { CliCommand, CliIo, CliOptions, ExitCodeValue } from '../cli-command.type';
import { ExitCode } from '../cli-command.type';
import { CliFailure, CliUsageError } from '../cli.error';

/** LGSP_ADMIN_HOST:LGSP_ADMIN_PORT on their defaults (libs/config). */
export const DEFAULT_ADMIN_URL = 'http://127.0.0.1:8081';
/** The public listener's token endpoint on the defaults LGSP_HOST:LGSP_PORT. */
export const DEFAULT_TOKEN_URL = 'http://127.0.0.1:8080/oauth2/token';

export type OptionValues = Readonly<Record<string, string | boolean | undefined>>;
export type Env = Readonly<Record<string, string | undefined>>;

/** One call of the admin API. */
export interface AdminRequest {
  readonly method: string;
  /** From the admin listener's root, with its query string: /admin/v1/consumers?x=1. */
  readonly path: string;
  /** Sent as JSON when present. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Answer headers worth telling the operator: printed on stderr as `name: value` when present. */
  readonly reportHeaders?: readonly string[];
}

export const TOKEN_OPTIONS: CliOptions = {
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
  'token-url': { type: 'string' },
};

export const CONNECTION_OPTIONS: CliOptions = {
  url: { type: 'string' },
  token: { type: 'string' },
  ...TOKEN_OPTIONS,
};

export const TOKEN_HELP = `  --client-id <id>           an admin client's id and secret, to obtain a token (default:
  --client-secret <secret>   $LGSP_ADMIN_CLIENT_ID and $LGSP_ADMIN_CLIENT_SECRET; prefer the variables,
                             a secret on the command line shows in the process list)
  --token-url <url>          the public OAuth token endpoint (default: $LGSP_TOKEN_URL, else
                             $LGSP_PUBLIC_URL/oauth2/token, else ${DEFAULT_TOKEN_URL})
`;

export const CONNECTION_HELP = `Connection:
  --url <url>                the admin listener (default: $LGSP_ADMIN_URL, else ${DEFAULT_ADMIN_URL})
  --token <token>            an admin access token (default: $LGSP_ADMIN_TOKEN)
${TOKEN_HELP}  -h, --help                 show this help

The token is the first of: --token; a token obtained with --client-id/--client-secret;
$LGSP_ADMIN_TOKEN; a token obtained with $LGSP_ADMIN_CLIENT_ID/$LGSP_ADMIN_CLIENT_SECRET. Without
any, the call is sent without credentials (enough for 'registrations submit', and for
'registrations show' with --follow-up-secret).

Prints the JSON answer on stdout. A refusal prints 'status code: detail' and its errors on
stderr and exits 1; a wrong command line exits 2 before anything is sent.
`;

/** A string option, or undefined; `--x ''` counts as given. */
export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function requiredOption(values: OptionValues, name: string): string {
  const value = stringOption(values, name);
  if (value === undefined || value === '') throw new CliUsageError(`--${name} is required`);
  return value;
}

export function integerOption(values: OptionValues, name: string): number | undefined {
  const value = stringOption(values, name);
  if (value === undefined) return undefined;
  if (!/^-?[0-9]{1,15}$/.test(value)) throw new CliUsageError(`--${name} must be an integer, not '${value}'`);
  return Number(value);
}

/** `?a=1&b=x` of the defined values, '' when none. */
export function queryString(params: Readonly<Record<string, string | number | boolean | undefined>>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) search.set(name, String(value));
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/** A path segment from a command-line value: an id with '/' or '?' stays one segment. */
export function segment(value: string): string {
  return encodeURIComponent(value);
}

/** A JSON or YAML file (YAML 1.2 reads JSON too), parsed. */
export async function readDocument(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliFailure(`cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return parseYaml(text);
  } catch (error) {
    throw new CliFailure(`${file} is neither JSON nor YAML: ${(error as Error).message}`);
  }
}

export async function readObject(file: string): Promise<Record<string, unknown>> {
  const document = await readDocument(file);
  if (document === null || typeof document !== 'object' || Array.isArray(document)) throw new CliFailure(`${file} must hold an object`);
  return document as Record<string, unknown>;
}

export async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new CliFailure(`cannot read ${file}: ${(error as Error).message}`);
  }
}

function httpUrl(value: string, option: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliUsageError(`${option} must be an http or https URL, not '${value}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliUsageError(`${option} must be an http or https URL, not '${value}'`);
  return value;
}

function tokenUrlOf(values: OptionValues, env: Env): string {
  const given = stringOption(values, 'token-url');
  if (given !== undefined) return httpUrl(given, '--token-url');
  if (env['LGSP_TOKEN_URL']) return httpUrl(env['LGSP_TOKEN_URL'], 'LGSP_TOKEN_URL');
  if (env['LGSP_PUBLIC_URL']) return `${httpUrl(env['LGSP_PUBLIC_URL'], 'LGSP_PUBLIC_URL').replace(/\/+$/, '')}/oauth2/token`;
  return DEFAULT_TOKEN_URL;
}

/** RFC 6749 §2.3.1: each part form-encoded before they are joined and base64-encoded. */
function basicCredentials(clientId: string, clientSecret: string): string {
  const encode = (value: string): string => new URLSearchParams({ v: value }).toString().slice(2);
  return Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64');
}

/** The client credentials the options (or, failing them, the environment) name; undefined when neither does. */
export function clientCredentialsOf(values: OptionValues, env: Env, useEnvironment: boolean): { clientId: string; clientSecret: string } | undefined {
  const flagId = stringOption(values, 'client-id');
  const flagSecret = stringOption(values, 'client-secret');
  if (flagId === undefined && flagSecret === undefined && !useEnvironment) return undefined;
  const clientId = flagId ?? env['LGSP_ADMIN_CLIENT_ID'];
  const clientSecret = flagSecret ?? env['LGSP_ADMIN_CLIENT_SECRET'];
  if (!clientId && !clientSecret) return undefined;
  if (!clientId) throw new CliUsageError('a client secret needs its client id (--client-id or LGSP_ADMIN_CLIENT_ID)');
  if (!clientSecret) throw new CliUsageError('--client-id needs its secret (--client-secret or LGSP_ADMIN_CLIENT_SECRET)');
  return { clientId, clientSecret };
}

/** client_credentials at the public token endpoint, client_secret_basic. */
export async function obtainToken(values: OptionValues, env: Env, credentials: { clientId: string; clientSecret: string }): Promise<string> {
  const url = tokenUrlOf(values, env);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        accept: 'application/json',
        authorization: `Basic ${basicCredentials(credentials.clientId, credentials.clientSecret)}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
  } catch (error) {
    throw new CliFailure(`cannot reach the token endpoint ${url}: ${reasonOf(error)}`);
  }
  const text = await response.text();
  const answer = parseJson(text) as { access_token?: unknown; error?: unknown; error_description?: unknown } | undefined;
  if (response.ok && typeof answer?.access_token === 'string') return answer.access_token;
  const why = typeof answer?.error === 'string' ? `${answer.error}${typeof answer.error_description === 'string' ? `: ${answer.error_description}` : ''}` : text.slice(0, 300);
  throw new CliFailure(`the token endpoint ${url} refused: ${response.status} ${why}`);
}

/** The admin listener's URL and the token to send, if any. */
export async function connectionOf(values: OptionValues, env: Env): Promise<{ url: string; token?: string }> {
  const flagUrl = stringOption(values, 'url');
  const url = flagUrl !== undefined ? httpUrl(flagUrl, '--url') : env['LGSP_ADMIN_URL'] ? httpUrl(env['LGSP_ADMIN_URL'], 'LGSP_ADMIN_URL') : DEFAULT_ADMIN_URL;
  const flagToken = stringOption(values, 'token');
  if (flagToken !== undefined) return { url, token: flagToken };
  const fromFlags = clientCredentialsOf(values, env, false);
  if (fromFlags !== undefined) return { url, token: await obtainToken(values, env, fromFlags) };
  if (env['LGSP_ADMIN_TOKEN']) return { url, token: env['LGSP_ADMIN_TOKEN'] };
  const fromEnv = clientCredentialsOf(values, env, true);
  if (fromEnv !== undefined) return { url, token: await obtainToken(values, env, fromEnv) };
  return { url };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function reasonOf(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return (error as Error).message;
}

interface ProblemAnswer {
  status?: number;
  code?: string;
  title?: string;
  detail?: string;
  rule?: string;
  earliest?: string;
  errorId?: string;
  errors?: { location?: string; message?: string; rule?: string }[];
}

/** `422 unprocessable: detail`, then its rule, each error and what to quote or wait for. */
export function describeRefusal(status: number, statusText: string, text: string, retryAfter: string | null): string {
  const problem = parseJson(text) as ProblemAnswer | undefined;
  if (problem === undefined || problem === null || typeof problem !== 'object' || (problem.code === undefined && problem.title === undefined)) {
    return `${status} ${statusText}${text === '' ? '' : `: ${text.slice(0, 500)}`}\n`;
  }
  const lines = [`${status} ${problem.code ?? 'error'}: ${problem.detail ?? problem.title ?? statusText}`];
  if (problem.rule !== undefined) lines.push(`  rule: ${problem.rule}${problem.earliest === undefined ? '' : ` (earliest ${problem.earliest})`}`);
  for (const item of problem.errors ?? []) {
    lines.push(`  - ${item.location ?? '?'}: ${item.message ?? ''}${item.rule === undefined ? '' : ` [${item.rule}]`}`);
  }
  if (retryAfter !== null) lines.push(`  retry after: ${retryAfter} s`);
  if (problem.errorId !== undefined) lines.push(`  error id: ${problem.errorId}`);
  return `${lines.join('\n')}\n`;
}

/** Sends one request; prints the answer (stdout) or the refusal (stderr). */
export async function callAdminApi(connection: { url: string; token?: string }, request: AdminRequest, io: CliIo): Promise<ExitCodeValue> {
  const url = `${connection.url.replace(/\/+$/, '')}${request.path}`;
  const headers: Record<string, string> = {
    accept: 'application/json, application/problem+json',
    // The audit trail keeps it: the operator can find this call there.
    'x-request-id': randomUUID(),
    ...request.headers,
  };
  if (connection.token !== undefined) headers['authorization'] = `Bearer ${connection.token}`;
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(url, { method: request.method, headers, body: request.body === undefined ? undefined : JSON.stringify(request.body) });
  } catch (error) {
    throw new CliFailure(`cannot reach the admin listener at ${url}: ${reasonOf(error)}`);
  }
  const text = await response.text();
  if (!response.ok) {
    io.stderr(describeRefusal(response.status, response.statusText, text, response.headers.get('retry-after')));
    return ExitCode.failed;
  }
  for (const name of request.reportHeaders ?? []) {
    const value = response.headers.get(name);
    if (value !== null) io.stderr(`${name}: ${value}\n`);
  }
  if (text === '') return ExitCode.ok;
  const json = /[/+]json\b/.test(response.headers.get('content-type') ?? '') ? parseJson(text) : undefined;
  io.stdout(json === undefined ? (text.endsWith('\n') ? text : `${text}\n`) : `${JSON.stringify(json, null, 2)}\n`);
  return ExitCode.ok;
}

/** Runs a command body: usage mistakes exit 2, failures exit 1, each with one line on stderr. */
export async function runReporting(path: readonly string[], io: CliIo, body: () => Promise<ExitCodeValue>): Promise<ExitCodeValue> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof CliUsageError) {
      io.stderr(`lgsp ${path.join(' ')}: ${error.message} (see --help)\n`);
      return ExitCode.usage;
    }
    if (error instanceof CliFailure) {
      io.stderr(`lgsp ${path.join(' ')}: ${error.message}\n`);
      return ExitCode.failed;
    }
    throw error;
  }
}

export interface AdminApiCommandSpec {
  readonly path: readonly string[];
  readonly summary: string;
  /** What follows the path in the usage line: '<reference> --reason <text>'. */
  readonly usage: string;
  readonly description: string;
  readonly args?: readonly string[];
  readonly options?: CliOptions;
  /** Lines describing its own options. */
  readonly optionsHelp?: string;
  /** The request, built (and the command line checked) before any token is obtained. */
  request(values: OptionValues, args: Readonly<Record<string, string>>): AdminRequest | Promise<AdminRequest>;
}

/** A command that makes one admin API call. */
export function adminApiCommand(spec: AdminApiCommandSpec): CliCommand {
  const usage = `lgsp ${spec.path.join(' ')}${spec.usage === '' ? '' : ` ${spec.usage}`}`;
  return {
    path: spec.path,
    summary: spec.summary,
    args: spec.args ?? [],
    options: { ...spec.options, ...CONNECTION_OPTIONS },
    help: `Usage: ${usage} [connection options]\n\n${spec.description.trim()}\n\n${spec.optionsHelp === undefined ? '' : `Options:\n${spec.optionsHelp}\n`}${CONNECTION_HELP}`,
    run: (values, io, args) =>
      runReporting(spec.path, io, async () => {
        const request = await spec.request(values, args);
        const connection = await connectionOf(values, io.env ?? process.env);
        return callAdminApi(connection, request, io);
      }),
  };
}

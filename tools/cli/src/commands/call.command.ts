import { readFile } from 'node:fs/promises';

import { createLgspClient, LgspClientError, type LgspClientOptions, LgspProblemError, type LgspResponse } from '@lgsp/client';

import type { CliCommand, CliIo, ExitCodeValue } from '../cli-command.type';
import { ExitCode } from '../cli-command.type';
import { CliFailure, CliUsageError } from '../cli.error';
import { describeRefusal, type Env, type OptionValues, runReporting, stringOption } from './admin-api.util';

/** The public listener on the defaults LGSP_HOST:LGSP_PORT. */
export const DEFAULT_PUBLIC_URL = 'http://127.0.0.1:8080';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const PATH = ['call'];

const HELP = `Usage: lgsp call <METHOD> <path> [--data @file|<json>] [--header name:value ...] [options]

Calls an API through the platform as a consumer system, with @lgsp/client: a client-credentials
token, a fresh X-Request-ID, Content-Digest, and the request signature when a key is given.
  lgsp call GET '/v1/documents/van-ban?nam=2026'
  lgsp call POST /v1/documents/van-ban --data @van-ban.json --key-file tu-ha-noi.key.pem --key-id tu-ha-noi-2026

Options:
  --data @file|<json>        the body: a file's bytes as they are, or inline JSON (Content-Type
                             application/json unless a --header sets it)
  --header <name:value>      a request header; repeat for more
  --url <url>                the platform's public URL (default: $LGSP_URL, else ${DEFAULT_PUBLIC_URL})
  --token-url <url>          the token endpoint (default: $LGSP_TOKEN_URL, else <url>/oauth2/token)
  --client-id <id>           the Consumer Key and Secret Key (default: $LGSP_CLIENT_ID and
  --client-secret <secret>   $LGSP_CLIENT_SECRET; prefer the variables, a secret on the command line
                             shows in the process list)
  --key-file <file>          the PEM private key of the system's registered signing certificate, to
  --key-id <id>              sign the request; and the certificate's id (default:
                             $LGSP_SIGNING_KEY_FILE and $LGSP_SIGNING_KEY_ID)
  --verify-response          verify the platform's signature on the answer (exit 1 when it fails)
  --platform-keys <url>      where the platform's response keys are (default <url>/.well-known/lgsp-signing-keys)
  -h, --help                 show this help

Prints the status, X-Request-ID and X-LGSP-Transaction-ID (and the signature check) on stderr and
the body on stdout. A refusal prints 'status code: detail' and the ids on stderr and exits 1; a 429
is waited out (up to 60 s) and sent again as a new request.
`;

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

function headersOf(values: OptionValues): Record<string, string> {
  const given = (values as Readonly<Record<string, unknown>>)['header'];
  const lines = Array.isArray(given) ? (given as string[]) : typeof given === 'string' ? [given] : [];
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim();
    if (colon <= 0 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new CliUsageError(`--header must be name:value, not '${line}'`);
    headers[name.toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

async function bodyOf(data: string | undefined): Promise<Buffer | undefined> {
  if (data === undefined) return undefined;
  if (data.startsWith('@')) {
    try {
      return await readFile(data.slice(1));
    } catch (error) {
      throw new CliFailure(`cannot read ${data.slice(1)}: ${(error as Error).message}`);
    }
  }
  try {
    JSON.parse(data);
  } catch (error) {
    throw new CliUsageError(`--data must be JSON or @file: ${(error as Error).message}`);
  }
  return Buffer.from(data, 'utf8');
}

async function signerOf(values: OptionValues, env: Env): Promise<LgspClientOptions['signer']> {
  const file = stringOption(values, 'key-file') ?? env['LGSP_SIGNING_KEY_FILE'];
  const keyid = stringOption(values, 'key-id') ?? env['LGSP_SIGNING_KEY_ID'];
  if (!file && !keyid) return undefined;
  if (!file) throw new CliUsageError('--key-id needs its key (--key-file or LGSP_SIGNING_KEY_FILE)');
  if (!keyid) throw new CliUsageError('--key-file needs the certificate id (--key-id or LGSP_SIGNING_KEY_ID)');
  let pem: string;
  try {
    pem = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliFailure(`cannot read ${file}: ${(error as Error).message}`);
  }
  return { keyid, key: pem };
}

function idsOf(requestId: string, transactionId: string | undefined): string {
  return `x-request-id: ${requestId}\n${transactionId === undefined ? '' : `x-lgsp-transaction-id: ${transactionId}\n`}`;
}

function print(response: LgspResponse, io: CliIo): void {
  const signature = response.signatureVerified === undefined ? '' : `signature: ${response.signatureVerified ? 'verified' : 'absent (the answer is not signed)'}\n`;
  io.stderr(`${response.status}\n${idsOf(response.requestId, response.transactionId)}${signature}`);
  if (response.body.length === 0) return;
  const type = response.headers['content-type'] ?? '';
  if (/[/+]json\b/.test(type)) {
    try {
      io.stdout(`${JSON.stringify(response.json(), null, 2)}\n`);
      return;
    } catch {
      // Not JSON after all: printed as it came.
    }
  }
  const text = response.text();
  io.stdout(text.endsWith('\n') ? text : `${text}\n`);
}

async function run(values: OptionValues, io: CliIo, args: Readonly<Record<string, string>>): Promise<ExitCodeValue> {
  const env = io.env ?? process.env;
  const method = args['method'].toUpperCase();
  if (!METHODS.includes(method)) throw new CliUsageError(`<METHOD> must be one of ${METHODS.join(', ')}, not '${args['method']}'`);
  if (!args['path'].startsWith('/')) throw new CliUsageError(`<path> starts with '/', as in /v1/documents/van-ban`);
  const flagUrl = stringOption(values, 'url');
  const url = flagUrl !== undefined ? httpUrl(flagUrl, '--url') : env['LGSP_URL'] ? httpUrl(env['LGSP_URL'], 'LGSP_URL') : DEFAULT_PUBLIC_URL;
  const flagTokenUrl = stringOption(values, 'token-url');
  const tokenUrl = flagTokenUrl !== undefined ? httpUrl(flagTokenUrl, '--token-url') : env['LGSP_TOKEN_URL'] ? httpUrl(env['LGSP_TOKEN_URL'], 'LGSP_TOKEN_URL') : undefined;
  const clientId = stringOption(values, 'client-id') ?? env['LGSP_CLIENT_ID'];
  const clientSecret = stringOption(values, 'client-secret') ?? env['LGSP_CLIENT_SECRET'];
  if (!clientId || !clientSecret) throw new CliUsageError('the Consumer Key and Secret Key are required (--client-id/--client-secret or LGSP_CLIENT_ID/LGSP_CLIENT_SECRET)');
  const platformKeys = stringOption(values, 'platform-keys');
  const headers = headersOf(values);
  const body = await bodyOf(stringOption(values, 'data'));
  if (body !== undefined && (method === 'GET' || method === 'HEAD')) throw new CliUsageError(`a ${method} request cannot have --data`);
  if (body !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
  const signer = await signerOf(values, env);

  const client = createLgspClient({
    baseUrl: url,
    ...(tokenUrl !== undefined && { tokenUrl }),
    clientId,
    clientSecret,
    ...(signer !== undefined && { signer }),
    verifyResponses: values['verify-response'] === true,
    ...(platformKeys !== undefined && { platformKeys: httpUrl(platformKeys, '--platform-keys') }),
  });
  try {
    print(await client.request(method, args['path'], { headers, ...(body !== undefined && { body }) }), io);
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof LgspProblemError) {
      io.stderr(describeRefusal(error.status, '', error.body.toString('utf8'), error.headers['retry-after'] ?? null));
      io.stderr(idsOf(error.requestId, error.transactionId));
      return ExitCode.failed;
    }
    if (error instanceof LgspClientError) throw new CliFailure(error.message);
    if (error instanceof TypeError && error.message === 'fetch failed') throw new CliFailure(`cannot reach ${url}: ${reasonOf(error)}`);
    throw error;
  }
}

function reasonOf(error: Error): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  return typeof cause?.message === 'string' ? cause.message : error.message;
}

/** `lgsp call`: one API call as a consumer system, through the SDK. */
export const callCommand: CliCommand = {
  path: PATH,
  summary: 'Call an API through the platform as a consumer system',
  help: HELP,
  args: ['method', 'path'],
  options: {
    data: { type: 'string' },
    header: { type: 'string', multiple: true },
    url: { type: 'string' },
    'token-url': { type: 'string' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    'key-file': { type: 'string' },
    'key-id': { type: 'string' },
    'verify-response': { type: 'boolean' },
    'platform-keys': { type: 'string' },
  },
  run: (values, io, args) => runReporting(PATH, io, () => run(values, io, args)),
};

import { createPrivateKey, type KeyObject, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { ErrorCode, Header, MediaType, OAuthErrorCode, OAuthPath, type Problem } from '@lgsp/contracts';
import { contentDigest, type LgspSigningOptions, signLgspRequest, verifyLgspResponseSignature } from '@lgsp/signature';

import { PlatformKeys } from './keys/platform-keys.util';
import { LgspProblemError, LgspResponseSignatureError } from './lgsp-client.error';
import type { LgspClient, LgspClientOptions, LgspRequestOptions, LgspResponse } from './lgsp-client.type';
import { retryAfterSeconds } from './retry-after.util';
import { ClientCredentialsTokens } from './token/client-credentials-token.util';

/** The well-known path of the platform's response-signing keys (a JWK Set). */
export const PLATFORM_SIGNING_KEYS_PATH = '/.well-known/lgsp-signing-keys';
export const DEFAULT_MAX_RETRY_AFTER_SECONDS = 60;
export const DEFAULT_TOKEN_RENEW_BEFORE_SECONDS = 60;

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

type RequestSigning = Omit<LgspSigningOptions, 'now'>;

interface SentRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly requestId: string;
  readonly signed: boolean;
}

/**
 * The consumer adapter: calls LGSP APIs with a client-credentials token (kept and renewed), a fresh
 * X-Request-ID per request, Content-Digest and, with a signer, the request signature of
 * docs/signatures.md; waits out 429s within a bound; verifies signed responses when asked.
 */
export function createLgspClient(options: LgspClientOptions): LgspClient {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const base = withoutTrailingSlash(String(options.baseUrl));
  const tokens = new ClientCredentialsTokens({
    tokenUrl: String(options.tokenUrl ?? `${base}${OAuthPath.token}`),
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    ...(options.scope !== undefined && { scope: options.scope }),
    renewBeforeSeconds: options.tokenRenewBeforeSeconds ?? DEFAULT_TOKEN_RENEW_BEFORE_SECONDS,
    fetch: fetchImpl,
  });
  const signing = signingOf(options.signer);
  const signMode = options.sign ?? 'always';
  const platformKeys = options.verifyResponses
    ? new PlatformKeys(
        options.platformKeys === undefined ? `${base}${PLATFORM_SIGNING_KEYS_PATH}` : isKeySet(options.platformKeys) ? options.platformKeys : String(options.platformKeys),
        fetchImpl,
      )
    : undefined;
  const maxWaitSeconds = options.maxRetryAfterSeconds ?? DEFAULT_MAX_RETRY_AFTER_SECONDS;

  async function send(method: string, url: string, body: Buffer | undefined, requestOptions: LgspRequestOptions, token: string): Promise<{ sent: SentRequest; response: Response }> {
    const requestId = randomUUID();
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(requestOptions.headers ?? {})) headers[name.toLowerCase()] = value;
    if (body !== undefined && headers['content-type'] === undefined && isJsonBody(requestOptions.body)) headers['content-type'] = MediaType.json;
    headers['accept'] ??= `${MediaType.json}, ${MediaType.problemJson}, */*`;
    headers[Header.authorization] = `Bearer ${token}`;
    headers[Header.requestId] = requestId;
    const sign = signing !== undefined && (requestOptions.sign ?? (signMode === 'always' || WRITE_METHODS.has(method)));
    if (sign) {
      const signature = await signLgspRequest({ method, url, headers, ...(body !== undefined && { body }) }, { ...(signing as RequestSigning), now: new Date() });
      Object.assign(headers, signature.headers);
    } else if (body !== undefined && body.length > 0) {
      headers[Header.contentDigest] = contentDigest(body);
    }
    const response = await fetchImpl(url, {
      method,
      headers,
      ...(body !== undefined && { body }),
      redirect: 'manual',
      ...(requestOptions.signal !== undefined && { signal: requestOptions.signal }),
    });
    return { sent: { method, url, headers, requestId, signed: sign }, response };
  }

  async function verify(sent: SentRequest, status: number, headers: Record<string, string>, body: Buffer): Promise<boolean> {
    if (headers[Header.signature] === undefined && headers[Header.signatureInput] === undefined) return false;
    const keys = platformKeys as PlatformKeys;
    const check = async (available: ReadonlyMap<string, KeyObject>) =>
      verifyLgspResponseSignature(
        { status, headers, body },
        { method: sent.method, url: sent.url, headers: sent.headers },
        {
          keyLookup: (keyid) => available.get(keyid),
          now: () => new Date(),
          ...(bindsRequestSignature(sent, status, headers) && { requestSignature: { label: 'sig1', field: Header.signature } }),
        },
      );
    let verification = await check(await keys.current());
    const keyid = /;keyid="([^"]*)"/.exec(headers[Header.signatureInput] ?? '')?.[1];
    if (!verification.ok && verification.reason === 'unknown-key' && keyid !== undefined) verification = await check(await keys.refreshFor(keyid));
    if (!verification.ok) throw new LgspResponseSignatureError(verification.reason, verification.detail, status, sent.requestId, headers[Header.transactionId]);
    return true;
  }

  return {
    async request(method, path, requestOptions = {}) {
      const verb = method.toUpperCase();
      const url = targetUrl(base, path, requestOptions.query);
      const body = bodyBytes(requestOptions.body);
      if (body !== undefined && (verb === 'GET' || verb === 'HEAD')) throw new TypeError(`A ${verb} request cannot have a body`);
      let refreshedToken = false;
      let waitedSeconds = 0;
      for (;;) {
        const token = await tokens.get();
        const { sent, response } = await send(verb, url, body, requestOptions, token);
        const headers = headersOf(response.headers);
        const responseBody = Buffer.from(await response.arrayBuffer());
        const problem = problemOf(headers, responseBody);

        if (response.status === 401 && !refreshedToken && isInvalidToken(headers, problem)) {
          // The token was revoked or the platform's keys rotated: one new token, one new request.
          tokens.invalidate(token);
          refreshedToken = true;
          continue;
        }
        if (response.status === 429) {
          const wait = retryAfterSeconds(headers[Header.retryAfter]);
          if (wait !== undefined && waitedSeconds + wait <= maxWaitSeconds) {
            waitedSeconds += wait;
            await sleep(wait * 1000, undefined, requestOptions.signal === undefined ? undefined : { signal: requestOptions.signal });
            continue;
          }
        }

        const signatureVerified = platformKeys === undefined ? undefined : await verify(sent, response.status, headers, responseBody);
        const transactionId = headers[Header.transactionId];
        if (response.status >= 400) {
          throw new LgspProblemError(response.status, problem, sent.requestId, transactionId ?? problem?.transactionId, headers, responseBody);
        }
        return {
          status: response.status,
          headers,
          body: responseBody,
          requestId: sent.requestId,
          transactionId,
          ...(signatureVerified !== undefined && { signatureVerified }),
          json: <T>() => JSON.parse(responseBody.toString('utf8')) as T,
          text: () => responseBody.toString('utf8'),
        } satisfies LgspResponse;
      }
    },
  };
}

/**
 * Whether the response signature must cover the request's own (`"x-signature";req;key="sig1"`): on
 * every success to a signed request (docs/signatures.md §8); a refusal made before the gateway
 * verified the request signature (a bad token, a rate limit) is signed without it.
 */
function bindsRequestSignature(sent: SentRequest, status: number, headers: Record<string, string>): boolean {
  if (!sent.signed) return false;
  return status < 400 || (headers[Header.signatureInput] ?? '').includes(`"${Header.signature}";req`);
}

function signingOf(signer: LgspClientOptions['signer']): RequestSigning | undefined {
  if (signer === undefined) return undefined;
  if ('sign' in signer) return { keyid: signer.keyid, alg: signer.alg, signer: (base) => signer.sign(base) };
  const key = typeof signer.key === 'string' || Buffer.isBuffer(signer.key) ? createPrivateKey(signer.key) : signer.key;
  return { keyid: signer.keyid, key, ...(signer.alg !== undefined && { alg: signer.alg }) };
}

function isKeySet(value: NonNullable<LgspClientOptions['platformKeys']>): value is Exclude<typeof value, string | URL> {
  return typeof value !== 'string' && !(value instanceof URL);
}

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** The absolute URL, normalised as fetch will send it: what the signature's @target-uri must be. */
function targetUrl(base: string, path: string, query: LgspRequestOptions['query']): string {
  if (!path.startsWith('/')) throw new TypeError(`The path must start with '/': ${path}`);
  const url = new URL(`${base}${path}`);
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(item));
  }
  return url.href;
}

function isJsonBody(body: LgspRequestOptions['body']): boolean {
  return body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array);
}

function bodyBytes(body: LgspRequestOptions['body']): Buffer | undefined {
  if (body === undefined) return undefined;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return Buffer.from(JSON.stringify(body), 'utf8');
}

function headersOf(headers: Headers): Record<string, string> {
  const record: Record<string, string> = {};
  headers.forEach((value, name) => (record[name] = value));
  return record;
}

function problemOf(headers: Record<string, string>, body: Buffer): Partial<Problem> | undefined {
  if (!(headers['content-type'] ?? '').startsWith(MediaType.problemJson)) return undefined;
  try {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Partial<Problem>) : undefined;
  } catch {
    return undefined;
  }
}

function isInvalidToken(headers: Record<string, string>, problem: Partial<Problem> | undefined): boolean {
  return problem?.code === ErrorCode.InvalidToken || (headers[Header.wwwAuthenticate] ?? '').includes(`error="${OAuthErrorCode.InvalidToken}"`);
}

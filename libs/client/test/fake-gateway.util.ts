import { createPublicKey, generateKeyPairSync, type KeyObject, randomUUID, X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

import { BACKEND_JWKS_PATH, ErrorCode, Header, isUuidV4, MediaType, OAuthPath, problemOf } from '@lgsp/contracts';
import { MemoryReplayGuard, type SignatureEvidence, signLgspResponse, verifyContentDigest, verifyLgspRequestSignature } from '@lgsp/signature';
import { exportJWK, SignJWT } from 'jose';

const PKI = join(__dirname, '..', '..', 'registry', 'test', 'fixtures', 'pki');

/** The consumer's signing certificate and key of the registry's test PKI (EC P-256). */
export const CONSUMER_KEY_ID = 'tu-ha-noi-2026';
export const CONSUMER_ID = 'tu-ha-noi.qlcb';
export const consumerKeyPem = (): string => readFileSync(join(PKI, 'leaf-ec.key.pem'), 'utf8');
const consumerCertificate = new X509Certificate(readFileSync(join(PKI, 'leaf-ec.pem')));

export const CLIENT_ID = 'demo-consumer';
export const CLIENT_SECRET = 's3cret/with+form&chars';
export const PLATFORM_KEY_ID = 'lgsp-platform-test';
export const SIGNING_KEYS_PATH = '/.well-known/lgsp-signing-keys';

export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** The verified request signature, when the request was signed. */
  readonly signature?: SignatureEvidence;
}

export interface FakeGatewayOptions {
  /** expires_in of the tokens issued. Default 3600. */
  readonly expiresIn?: number;
}

/**
 * A small LGSP gateway on an ephemeral port: issues tokens by client credentials, checks what the
 * platform checks of a data-plane call (token, X-Request-ID, Content-Digest, the request signature
 * against the test PKI's leaf-ec certificate), echoes the call and signs its answer as the platform does.
 */
export class FakeGateway {
  url = '';
  tokenRequests = 0;
  signingKeyRequests = 0;
  readonly received: ReceivedRequest[] = [];
  readonly seenRequestIds = new Set<string>();
  /** Tokens the platform no longer accepts. */
  readonly revoked = new Set<string>();
  /** Refuses every access token, new ones included. */
  refuseAllTokens = false;
  /** The next data-plane calls answered 429 with Retry-After: 1. */
  rateLimitNext = 0;
  /** Alters the next signed answer's body after signing. */
  tamperNext = false;
  /** Signs refusals too, without covering the request's signature. */
  signRefusals = false;
  /** Signs answers (true) or leaves them unsigned. */
  signResponses = true;

  readonly platformKey: KeyObject;
  readonly backendKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  private issued = new Set<string>();
  private server = createServer((request, response) => void this.handle(request, response).catch((error: unknown) => this.fail(response, error)));
  private replayGuard = new MemoryReplayGuard();

  constructor(private readonly options: FakeGatewayOptions = {}) {
    this.platformKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
  }

  async start(): Promise<this> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }


  /** An X-LGSP-Assertion as the gateway signs it. */
  async assertion(claims: { aud: string; iss?: string; typ?: string; expiresIn?: number }): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ client_id: CLIENT_ID, env: 'sandbox' })
      .setProtectedHeader({ alg: 'ES256', typ: claims.typ ?? 'lgsp-backend+jwt', kid: 'backend-1' })
      .setIssuer(claims.iss ?? this.url)
      .setAudience(claims.aud)
      .setSubject(CONSUMER_ID)
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setExpirationTime(now + (claims.expiresIn ?? 60))
      .sign(this.backendKey.privateKey);
  }

  private async handle(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const path = (incoming.url ?? '/').split('?')[0];

    if (path === OAuthPath.token && incoming.method === 'POST') return this.token(incoming, body, outgoing);
    if (path === SIGNING_KEYS_PATH) {
      this.signingKeyRequests += 1;
      const jwk = createPublicKey(this.platformKey).export({ format: 'jwk' });
      return json(outgoing, 200, { keys: [{ ...jwk, kid: PLATFORM_KEY_ID, alg: 'ecdsa-p256-sha256', use: 'sig' }] });
    }
    if (path === BACKEND_JWKS_PATH) {
      return json(outgoing, 200, { keys: [{ ...(await exportJWK(this.backendKey.publicKey)), kid: 'backend-1', alg: 'ES256', use: 'sig' }] });
    }
    return this.data(incoming, body, outgoing);
  }

  private async token(incoming: IncomingMessage, body: Buffer, outgoing: ServerResponse): Promise<void> {
    this.tokenRequests += 1;
    const expected = `Basic ${Buffer.from(`${encodeURIComponent(CLIENT_ID)}:${new URLSearchParams({ v: CLIENT_SECRET }).toString().slice(2)}`).toString('base64')}`;
    const form = new URLSearchParams(body.toString('utf8'));
    // Slow enough that concurrent callers overlap.
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (incoming.headers.authorization !== expected) return json(outgoing, 401, { error: 'invalid_client', error_description: 'Client authentication failed' });
    if (form.get('grant_type') !== 'client_credentials') return json(outgoing, 400, { error: 'unsupported_grant_type' });
    const token = `token-${this.tokenRequests}-${randomUUID()}`;
    this.issued.add(token);
    return json(outgoing, 200, { access_token: token, token_type: 'Bearer', expires_in: this.options.expiresIn ?? 3600, scope: 'documents:v1' });
  }

  private async data(incoming: IncomingMessage, body: Buffer, outgoing: ServerResponse): Promise<void> {
    const requestId = String(incoming.headers[Header.requestId] ?? '');
    const transactionId = randomUUID();
    const refuse = async (code: ErrorCode, detail: string, headers: Record<string, string> = {}) => {
      const status = problemOf(code).status;
      const problem = Buffer.from(JSON.stringify(problemOf(code, { detail, requestId, transactionId })));
      const all: Record<string, string> = { 'content-type': MediaType.problemJson, [Header.requestId]: requestId, [Header.transactionId]: transactionId, ...headers };
      if (this.signRefusals) {
        // As a gateway refusing before it verified the request signature: the answer does not cover it.
        const url = `${this.url}${incoming.url ?? '/'}`;
        const signed = await signLgspResponse({ status, headers: all, body: problem }, { method: incoming.method ?? '', url, headers: incoming.headers }, {
          keyid: PLATFORM_KEY_ID,
          key: this.platformKey,
          now: new Date(),
        });
        Object.assign(all, signed.headers);
      }
      outgoing.writeHead(status, all);
      outgoing.end(problem);
    };
    if (!isUuidV4(requestId)) return refuse(ErrorCode.RequestIdInvalid, 'X-Request-ID is not a UUID v4');
    if (this.seenRequestIds.has(requestId)) return refuse(ErrorCode.ReplayDetected, `X-Request-ID ${requestId} was already used`);
    this.seenRequestIds.add(requestId);
    const token = /^Bearer (.+)$/.exec(incoming.headers.authorization ?? '')?.[1];
    if (token === undefined || !this.issued.has(token) || this.revoked.has(token) || this.refuseAllTokens) {
      return refuse(ErrorCode.InvalidToken, 'The access token is revoked', { [Header.wwwAuthenticate]: 'Bearer error="invalid_token", error_description="revoked"' });
    }
    if (this.rateLimitNext > 0) {
      this.rateLimitNext -= 1;
      return refuse(ErrorCode.RateLimited, 'Too many reads', { [Header.retryAfter]: '1' });
    }
    const digest = incoming.headers[Header.contentDigest];
    if (body.length > 0 && digest === undefined) return refuse(ErrorCode.DigestMismatch, 'A body needs Content-Digest');
    if (typeof digest === 'string' && !verifyContentDigest(digest, body).ok) return refuse(ErrorCode.DigestMismatch, 'Content-Digest does not match');

    const url = `${this.url}${incoming.url ?? '/'}`;
    let signature: SignatureEvidence | undefined;
    if (incoming.headers[Header.signature] !== undefined) {
      const verification = await verifyLgspRequestSignature(
        { method: incoming.method ?? '', url, headers: incoming.headers, body },
        {
          keys: (keyid) => (keyid === CONSUMER_KEY_ID ? { consumerId: CONSUMER_ID, certificate: consumerCertificate, status: 'active' } : undefined),
          consumerId: CONSUMER_ID,
          now: () => new Date(),
          replayGuard: this.replayGuard,
        },
      );
      if (!verification.ok) return refuse(verification.code, verification.detail);
      signature = verification.evidence;
    } else if (['POST', 'PUT', 'PATCH', 'DELETE'].includes(incoming.method ?? '')) {
      return refuse(ErrorCode.SignatureMissing, 'Writes must be signed');
    }
    this.received.push({ method: incoming.method ?? '', url: incoming.url ?? '', headers: incoming.headers, body, ...(signature !== undefined && { signature }) });

    if (incoming.url?.startsWith('/v1/documents/missing')) return refuse(ErrorCode.NotFound, 'No document missing');
    const answer = Buffer.from(JSON.stringify({ method: incoming.method, url: incoming.url, body: body.toString('utf8'), signed: signature !== undefined }));
    const headers: Record<string, string> = { 'content-type': MediaType.json, [Header.requestId]: requestId, [Header.transactionId]: transactionId };
    if (this.signResponses) {
      const signed = await signLgspResponse(
        { status: 200, headers, body: answer },
        { method: incoming.method ?? '', url, headers: incoming.headers },
        {
          keyid: PLATFORM_KEY_ID,
          key: this.platformKey,
          now: new Date(),
          ...(signature !== undefined && { requestSignature: { label: signature.label, field: signature.field } }),
        },
      );
      Object.assign(headers, signed.headers);
    }
    let sent = answer;
    if (this.tamperNext) {
      this.tamperNext = false;
      sent = Buffer.from(answer.toString('utf8').replace('"method"', '"METHOD"'));
    }
    outgoing.writeHead(200, headers);
    outgoing.end(sent);
  }

  private fail(outgoing: ServerResponse, error: unknown): void {
    if (!outgoing.headersSent) json(outgoing, 500, { error: String(error) });
  }
}

function json(outgoing: ServerResponse, status: number, body: unknown): void {
  outgoing.writeHead(status, { 'content-type': MediaType.json, 'cache-control': 'no-store' });
  outgoing.end(JSON.stringify(body));
}

import { createPrivateKey, sign as cryptoSign } from 'node:crypto';

import { BACKEND_JWKS_PATH, isUuidV4 } from '@lgsp/contracts';

import {
  BackendAssertionError,
  createLgspClient,
  type LgspClientOptions,
  LgspProblemError,
  LgspResponseSignatureError,
  LgspTokenError,
  verifyBackendAssertion,
} from '../src';
import { CLIENT_ID, CLIENT_SECRET, CONSUMER_ID, CONSUMER_KEY_ID, consumerKeyPem, FakeGateway, SIGNING_KEYS_PATH } from './fake-gateway.util';

/** The SDK against a fake gateway over real HTTP, with real tokens' lifecycle and real signatures. */
describe('createLgspClient', () => {
  jest.setTimeout(20_000);
  let gateway: FakeGateway;

  const client = (options: Partial<LgspClientOptions> = {}) =>
    createLgspClient({ baseUrl: gateway.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...options });

  beforeEach(async () => {
    gateway = await new FakeGateway().start();
  });
  afterEach(() => gateway.close());

  it('obtains a token once, sends a fresh UUID v4 X-Request-ID per request and reports the ids', async () => {
    const lgsp = client();
    const first = await lgsp.request('GET', '/v1/documents/van-ban', { query: { nam: 2026, loai: ['qd', 'tt'] } });
    const second = await lgsp.request('get', '/v1/documents/van-ban');

    expect(gateway.tokenRequests).toBe(1);
    expect(first.status).toBe(200);
    expect(first.json()).toEqual({ method: 'GET', url: '/v1/documents/van-ban?nam=2026&loai=qd&loai=tt', body: '', signed: false });
    expect(isUuidV4(first.requestId)).toBe(true);
    expect(first.requestId).not.toBe(second.requestId);
    expect(gateway.received.map((r) => r.headers['x-request-id'])).toEqual([first.requestId, second.requestId]);
    expect(first.transactionId).toBe(first.headers['x-lgsp-transaction-id']);
    expect(first.transactionId).toBeDefined();
    expect(first.signatureVerified).toBeUndefined();
    expect(gateway.received[0].headers.authorization).toMatch(/^Bearer token-1-/);
  });

  it('shares one token request between concurrent requests', async () => {
    const lgsp = client();
    const answers = await Promise.all(Array.from({ length: 8 }, () => lgsp.request('GET', '/v1/documents/van-ban')));
    expect(gateway.tokenRequests).toBe(1);
    expect(new Set(answers.map((a) => a.requestId)).size).toBe(8);
  });

  it('renews the token shortly before it expires', async () => {
    await gateway.close();
    gateway = await new FakeGateway({ expiresIn: 61 }).start();
    const lgsp = client();
    await lgsp.request('GET', '/v1/documents/van-ban');
    await lgsp.request('GET', '/v1/documents/van-ban');
    expect(gateway.tokenRequests).toBe(1);
    // 61 s of life, renewed 60 s before the end: after one second it is renewed.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await lgsp.request('GET', '/v1/documents/van-ban');
    expect(gateway.tokenRequests).toBe(2);
  });

  it('fetches a new token once on 401 invalid_token and sends the call again as a new request', async () => {
    const lgsp = client();
    await lgsp.request('GET', '/v1/documents/van-ban');
    gateway.revoked.add(String(gateway.received[0].headers.authorization).slice('Bearer '.length));

    const answer = await lgsp.request('GET', '/v1/documents/van-ban');
    expect(gateway.tokenRequests).toBe(2);
    expect(answer.status).toBe(200);
    expect(gateway.seenRequestIds.size).toBe(3);
    expect(gateway.received.at(-1)?.headers['x-request-id']).toBe(answer.requestId);
  });

  it('does not loop when the new token is refused too', async () => {
    const lgsp = client();
    await lgsp.request('GET', '/v1/documents/van-ban');
    gateway.refuseAllTokens = true;
    const error = await lgsp.request('GET', '/v1/documents/van-ban').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LgspProblemError);
    expect(error).toMatchObject({ status: 401, code: 'invalid_token' });
    expect(gateway.tokenRequests).toBe(2);
    expect(gateway.seenRequestIds.size).toBe(3);
  });

  it('throws LgspTokenError when the token endpoint refuses the credentials', async () => {
    const error = await client({ clientSecret: 'wrong' })
      .request('GET', '/v1/documents/van-ban')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LgspTokenError);
    expect(error).toMatchObject({ status: 401, error: 'invalid_client', code: 'token_refused' });
    expect(gateway.received).toEqual([]);
  });

  it('waits out Retry-After on 429 and sends the call again with a new X-Request-ID', async () => {
    gateway.rateLimitNext = 1;
    const started = Date.now();
    const answer = await client().request('GET', '/v1/documents/van-ban');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(answer.status).toBe(200);
    expect(gateway.seenRequestIds.size).toBe(2);
    expect(gateway.seenRequestIds.has(answer.requestId)).toBe(true);
  });

  it('gives the 429 back as a problem when Retry-After is beyond maxRetryAfterSeconds', async () => {
    gateway.rateLimitNext = 1;
    const error = await client({ maxRetryAfterSeconds: 0 })
      .request('GET', '/v1/documents/van-ban')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LgspProblemError);
    expect(error).toMatchObject({ status: 429, code: 'rate_limited', retryAfterSeconds: 1 });
    expect(gateway.seenRequestIds.size).toBe(1);
  });

  it('turns a problem into LgspProblemError with its code, detail and ids, and never retries it', async () => {
    const error = (await client()
      .request('GET', '/v1/documents/missing')
      .catch((e: unknown) => e)) as LgspProblemError;
    expect(error).toBeInstanceOf(LgspProblemError);
    expect(error).toMatchObject({ status: 404, code: 'not_found', detail: 'No document missing' });
    expect(isUuidV4(error.requestId)).toBe(true);
    expect(error.transactionId).toBe(error.headers['x-lgsp-transaction-id']);
    expect(error.message).toBe('404 not_found: No document missing');
    expect(gateway.received).toHaveLength(1);
  });

  it('signs every request with a key signer, with Content-Digest over the body', async () => {
    const lgsp = client({ signer: { keyid: CONSUMER_KEY_ID, key: consumerKeyPem() } });
    const write = await lgsp.request('POST', '/v1/documents/van-ban', { body: { soHieu: '123/QD-UBND' } });
    const read = await lgsp.request('GET', '/v1/documents/van-ban', { query: { q: 'quyết định' } });

    expect(write.json()).toMatchObject({ body: '{"soHieu":"123/QD-UBND"}', signed: true });
    expect(read.json()).toMatchObject({ signed: true });
    const [post, get] = gateway.received;
    expect(post.headers['content-type']).toBe('application/json');
    expect(post.headers['content-digest']).toMatch(/^sha-256=:/);
    expect(post.signature).toMatchObject({ keyid: CONSUMER_KEY_ID, alg: 'ecdsa-p256-sha256', label: 'sig1' });
    expect(get.headers['content-digest']).toBeUndefined();
    expect(get.signature?.keyid).toBe(CONSUMER_KEY_ID);
  });

  it("signs only writes with sign: 'writes', unless a request asks", async () => {
    const lgsp = client({ signer: { keyid: CONSUMER_KEY_ID, key: createPrivateKey(consumerKeyPem()) }, sign: 'writes' });
    await lgsp.request('GET', '/v1/documents/van-ban');
    await lgsp.request('GET', '/v1/documents/mat', { sign: true });
    await lgsp.request('PUT', '/v1/documents/van-ban/1', { body: 'plain text', headers: { 'Content-Type': 'text/plain' } });
    expect(gateway.received.map((r) => r.signature !== undefined)).toEqual([false, true, true]);
    expect(gateway.received[2].headers['content-type']).toBe('text/plain');
  });

  it('refuses a body on GET before anything is sent', async () => {
    await expect(client().request('GET', '/v1/documents/van-ban', { body: 'x' })).rejects.toThrow('A GET request cannot have a body');
    expect(gateway.tokenRequests).toBe(0);
  });

  it('sends a digest without a signer; the gateway refuses the unsigned write as a problem', async () => {
    const error = await client()
      .request('POST', '/v1/documents/van-ban', { body: Buffer.from('{}') })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 401, code: 'signature_missing' });
  });

  it('signs through an asynchronous external signer, as a USB token does', async () => {
    const key = createPrivateKey(consumerKeyPem());
    const bases: string[] = [];
    const lgsp = client({
      signer: {
        keyid: CONSUMER_KEY_ID,
        alg: 'ecdsa-p256-sha256',
        sign: async (base) => {
          bases.push(base.toString('ascii'));
          await new Promise((resolve) => setTimeout(resolve, 10));
          return cryptoSign('sha256', base, { key, dsaEncoding: 'ieee-p1363' });
        },
      },
    });
    const answer = await lgsp.request('DELETE', '/v1/documents/van-ban/1');
    expect(answer.status).toBe(200);
    expect(gateway.received[0].signature?.keyid).toBe(CONSUMER_KEY_ID);
    expect(bases).toHaveLength(1);
    expect(bases[0]).toContain(`"x-request-id": ${answer.requestId}`);
  });

  it('verifies signed responses with the platform keys, fetched once', async () => {
    const lgsp = client({ verifyResponses: true, signer: { keyid: CONSUMER_KEY_ID, key: consumerKeyPem() } });
    const answers = [await lgsp.request('GET', '/v1/documents/van-ban'), await lgsp.request('POST', '/v1/documents/van-ban', { body: { a: 1 } })];
    expect(answers.map((a) => a.signatureVerified)).toEqual([true, true]);
    expect(gateway.signingKeyRequests).toBe(1);
  });

  it('verifies an answer to an unsigned request, with the JWK Set given, and tells an unsigned answer', async () => {
    const keys = (await (await fetch(`${gateway.url}${SIGNING_KEYS_PATH}`)).json()) as { keys: Record<string, unknown>[] };
    const lgsp = client({ verifyResponses: true, platformKeys: keys });
    expect((await lgsp.request('GET', '/v1/documents/van-ban')).signatureVerified).toBe(true);
    gateway.signResponses = false;
    expect((await lgsp.request('GET', '/v1/documents/van-ban')).signatureVerified).toBe(false);
  });

  it('verifies a signed refusal that does not cover the request signature, and throws the problem', async () => {
    gateway.signRefusals = true;
    gateway.rateLimitNext = 1;
    const lgsp = client({ verifyResponses: true, maxRetryAfterSeconds: 0, signer: { keyid: CONSUMER_KEY_ID, key: consumerKeyPem() } });
    await expect(lgsp.request('GET', '/v1/documents/van-ban')).rejects.toMatchObject({ name: 'LgspProblemError', code: 'rate_limited' });
  });

  it('throws LgspResponseSignatureError on a tampered response', async () => {
    const lgsp = client({ verifyResponses: true, platformKeys: new URL(`${gateway.url}${SIGNING_KEYS_PATH}`) });
    gateway.tamperNext = true;
    const error = (await lgsp.request('GET', '/v1/documents/van-ban').catch((e: unknown) => e)) as LgspResponseSignatureError;
    expect(error).toBeInstanceOf(LgspResponseSignatureError);
    expect(error.code).toBe('response_signature_invalid');
    expect(error.reason).toBe('digest-mismatch');
    expect(isUuidV4(error.requestId)).toBe(true);
  });

  it('throws LgspResponseSignatureError when the platform key is not the one published', async () => {
    const lgsp = client({ verifyResponses: true, platformKeys: { keys: [] } });
    const error = (await lgsp.request('GET', '/v1/documents/van-ban').catch((e: unknown) => e)) as LgspResponseSignatureError;
    expect(error).toBeInstanceOf(LgspResponseSignatureError);
    expect(error.reason).toBe('unknown-key');
  });
});

describe('verifyBackendAssertion', () => {
  let gateway: FakeGateway;
  const audience = 'https://documents.bo-noi-vu.example:8443';

  beforeAll(async () => {
    gateway = await new FakeGateway().start();
  });
  afterAll(() => gateway.close());

  it('returns the consumer a valid assertion names, with the JWKS fetched from the platform', async () => {
    const caller = await verifyBackendAssertion(await gateway.assertion({ aud: audience }), {
      jwksUrl: `${gateway.url}${BACKEND_JWKS_PATH}`,
      issuer: gateway.url,
      audience,
    });
    expect(caller).toMatchObject({ consumer: CONSUMER_ID, clientId: CLIENT_ID, environment: 'sandbox' });
    expect(caller.expiresAt.getTime()).toBeGreaterThan(Date.now());
  });

  it.each([
    ['another audience', { aud: 'https://other.example:443' }, 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
    ['another issuer', { aud: audience, iss: 'https://evil.example' }, 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
    ['an access token typ', { aud: audience, typ: 'at+jwt' }, 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
    ['an expired assertion', { aud: audience, expiresIn: -60 }, 'ERR_JWT_EXPIRED'],
  ])('refuses %s', async (_name, claims, reason) => {
    const error = await verifyBackendAssertion(await gateway.assertion(claims), { jwksUrl: `${gateway.url}${BACKEND_JWKS_PATH}`, issuer: gateway.url, audience }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BackendAssertionError);
    expect(error).toMatchObject({ code: 'backend_assertion_invalid', reason });
  });

  it('refuses a missing header and an assertion signed with another key', async () => {
    await expect(verifyBackendAssertion(undefined, { jwks: { keys: [] }, issuer: gateway.url, audience })).rejects.toMatchObject({ reason: 'missing' });
    const other = await new FakeGateway().start();
    try {
      const forged = await other.assertion({ aud: audience, iss: gateway.url });
      await expect(verifyBackendAssertion(forged, { jwksUrl: `${gateway.url}${BACKEND_JWKS_PATH}`, issuer: gateway.url, audience })).rejects.toMatchObject({
        reason: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
      });
    } finally {
      await other.close();
    }
  });
});

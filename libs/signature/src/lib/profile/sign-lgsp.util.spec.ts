import { generateKeyPairSync, sign as nodeSign } from 'node:crypto';

import { FIXTURE_NOW, testConsumer } from '../../../test/lgsp-fixtures';
import { contentDigest } from '../content-digest/content-digest.util';
import type { LgspHttpRequest, LgspHttpResponse } from './lgsp-message.type';
import { MemoryReplayGuard } from './memory-replay-guard';
import { signLgspRequest, signLgspResponse, verifyLgspResponseSignature } from './sign-lgsp.util';
import { verifyLgspRequestSignature } from './verify-lgsp-request.util';

const NOW = FIXTURE_NOW;
const CREATED = Math.floor(NOW.getTime() / 1000);
const REQUEST_ID = '5f0e7c9a-3b1d-4e2f-9a8b-1c2d3e4f5a6b';
const CONSUMER = testConsumer('consumer-ec');
const PLATFORM = { keyid: 'lgsp-platform-2026', ...generateKeyPairSync('ec', { namedCurve: 'P-256' }) };
const request: LgspHttpRequest = {
  method: 'POST',
  url: 'https://lgsp.gov.vn/v1/documents/van-ban',
  headers: { 'X-Request-ID': REQUEST_ID, 'Content-Type': 'application/json' },
  body: Buffer.from('{"soHieu":"123/QĐ-UBND"}'),
};

describe('signLgspRequest', () => {
  it('adds Content-Digest and the X-Signature pair covering the profile components', async () => {
    const signed = await signLgspRequest(request, { keyid: CONSUMER.keyid, key: CONSUMER.privateKey, now: NOW });
    expect(Object.keys(signed.headers)).toEqual(['content-digest', 'x-signature-input', 'x-signature']);
    expect(signed.headers['content-digest']).toBe(contentDigest(request.body as Buffer));
    expect(signed.base).toBe(
      [
        '"@method": POST',
        '"@target-uri": https://lgsp.gov.vn/v1/documents/van-ban',
        `"x-request-id": ${REQUEST_ID}`,
        `"content-digest": ${signed.headers['content-digest']}`,
        `"@signature-params": ("@method" "@target-uri" "x-request-id" "content-digest");created=${CREATED};keyid="${CONSUMER.keyid}";alg="ecdsa-p256-sha256"`,
      ].join('\n'),
    );
  });

  it('signs with a hardware token through an asynchronous signer, sha-512 digests when asked', async () => {
    const signer = jest.fn(async (base: Buffer) => nodeSign('sha256', base, { key: CONSUMER.privateKey, dsaEncoding: 'ieee-p1363' }));
    const signed = await signLgspRequest(request, { keyid: CONSUMER.keyid, signer, alg: 'ecdsa-p256-sha256', now: NOW, digestAlgorithm: 'sha-512' });
    expect(signed.headers['content-digest']).toMatch(/^sha-512=:/);
    expect(signer).toHaveBeenCalledTimes(1);
    const result = await verifyLgspRequestSignature(
      { ...request, headers: { ...(request.headers as Record<string, string>), ...signed.headers } },
      { keys: () => CONSUMER.registered, consumerId: CONSUMER.consumerId, now: () => NOW, replayGuard: new MemoryReplayGuard() },
    );
    expect(result).toMatchObject({ ok: true, evidence: { digests: { 'sha-512': expect.any(String) } } });
  });

  it('refuses a request without X-Request-ID, a signer without alg, a key outside the profile', async () => {
    await expect(signLgspRequest({ ...request, headers: {} }, { keyid: 'k', key: CONSUMER.privateKey, now: NOW })).rejects.toThrow(/no X-Request-ID/);
    await expect(signLgspRequest(request, { keyid: 'k', signer: async () => Buffer.alloc(0), now: NOW })).rejects.toThrow(/needs alg/);
    const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey;
    await expect(signLgspRequest(request, { keyid: 'k', key: p521, now: NOW })).rejects.toThrow(/fits no algorithm of the LGSP profile/);
  });
});

describe('signLgspResponse and verifyLgspResponseSignature', () => {
  const response: LgspHttpResponse = { status: 201, headers: { 'x-request-id': REQUEST_ID, 'content-type': 'application/json' }, body: Buffer.from('{"id":7}') };

  async function exchange() {
    const requestSignature = await signLgspRequest(request, { keyid: CONSUMER.keyid, key: CONSUMER.privateKey, now: NOW });
    const sent = { ...request, headers: { ...(request.headers as Record<string, string>), ...requestSignature.headers } };
    const verified = await verifyLgspRequestSignature(sent, { keys: () => CONSUMER.registered, consumerId: CONSUMER.consumerId, now: () => NOW, replayGuard: new MemoryReplayGuard() });
    if (!verified.ok) throw new Error(verified.detail);
    const responseSignature = await signLgspResponse(response, sent, { keyid: PLATFORM.keyid, key: PLATFORM.privateKey, now: NOW, requestSignature: verified.evidence });
    const received = { ...response, headers: { ...(response.headers as Record<string, string>), ...responseSignature.headers } };
    return { sent, received, responseSignature, evidence: verified.evidence };
  }

  const keyLookup = (keyid: string) => (keyid === PLATFORM.keyid ? PLATFORM.publicKey : undefined);

  it("covers @status, content-digest, x-request-id, the request's method and target URI, and the request's X-Signature", async () => {
    const { sent, responseSignature } = await exchange();
    const requestSignature = (sent.headers as Record<string, string>)['x-signature'].slice('sig1='.length);
    expect(responseSignature.headers['x-signature-input']).toBe(
      `lgsp=("@status" "content-digest" "x-request-id" "@method";req "@target-uri";req "x-signature";req;key="sig1");created=${CREATED};keyid="${PLATFORM.keyid}";alg="ecdsa-p256-sha256"`,
    );
    expect(responseSignature.base.split('\n').slice(0, 6)).toEqual([
      '"@status": 201',
      `"content-digest": ${contentDigest(response.body as Buffer)}`,
      `"x-request-id": ${REQUEST_ID}`,
      '"@method";req: POST',
      '"@target-uri";req: https://lgsp.gov.vn/v1/documents/van-ban',
      `"x-signature";req;key="sig1": ${requestSignature}`,
    ]);
  });

  it('the consumer verifies it against the request it sent', async () => {
    const { sent, received, evidence } = await exchange();
    const result = await verifyLgspResponseSignature(received, sent, { keyLookup, now: () => NOW, requestSignature: evidence });
    expect(result).toMatchObject({ ok: true, keyid: PLATFORM.keyid, alg: 'ecdsa-p256-sha256' });
  });

  it('the consumer refuses it for another request, another body, another key, or without covering its signature', async () => {
    const { sent, received, evidence } = await exchange();
    const verify = (res: LgspHttpResponse, req: LgspHttpRequest, options: Partial<Parameters<typeof verifyLgspResponseSignature>[2]> = {}) =>
      verifyLgspResponseSignature(res, req, { keyLookup, now: () => NOW, requestSignature: evidence, ...options });
    const other = await signLgspRequest(request, { keyid: CONSUMER.keyid, key: CONSUMER.privateKey, now: new Date(NOW.getTime() + 1000) });
    expect(await verify(received, { ...sent, headers: { ...(sent.headers as Record<string, string>), ...other.headers } })).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(await verify(received, { ...sent, method: 'PUT' })).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(await verify({ ...received, body: Buffer.from('{"id":8}') }, sent)).toMatchObject({ ok: false, reason: 'digest-mismatch' });
    expect(await verify(received, sent, { keyLookup: () => CONSUMER.registered.certificate.publicKey })).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(await verify(received, sent, { keyLookup: () => undefined })).toMatchObject({ ok: false, reason: 'unknown-key' });
    expect(await verify(received, sent, { now: () => new Date(NOW.getTime() + 301_000) })).toMatchObject({ ok: false, reason: 'expired' });

    const unbound = await signLgspResponse(response, sent, { keyid: PLATFORM.keyid, key: PLATFORM.privateKey, now: NOW });
    const unboundResponse = { ...response, headers: { ...(response.headers as Record<string, string>), ...unbound.headers } };
    expect(await verify(unboundResponse, sent)).toMatchObject({ ok: false, reason: 'missing-component' });
    expect(await verify(unboundResponse, sent, { requestSignature: undefined })).toMatchObject({ ok: true });
  });

  it('signs an empty body and a response to an unsigned read', async () => {
    const read: LgspHttpRequest = { method: 'GET', url: 'https://lgsp.gov.vn/v1/documents/van-ban/7', headers: { 'x-request-id': REQUEST_ID } };
    const empty: LgspHttpResponse = { status: 204, headers: { 'x-request-id': REQUEST_ID } };
    const signed = await signLgspResponse(empty, read, { keyid: PLATFORM.keyid, key: PLATFORM.privateKey, now: NOW });
    expect(signed.headers['content-digest']).toBe('sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:');
    const received = { ...empty, headers: { ...(empty.headers as Record<string, string>), ...signed.headers } };
    expect(await verifyLgspResponseSignature(received, read, { keyLookup, now: () => NOW })).toMatchObject({ ok: true });
    await expect(signLgspResponse({ status: 200, headers: {} }, read, { keyid: PLATFORM.keyid, key: PLATFORM.privateKey, now: NOW })).rejects.toThrow(/no X-Request-ID/);
  });
});

// Interoperability with another implementation, http-message-signatures (dhensby): it signs and we
// verify, we sign and it verifies, for every algorithm both support.
import { createSigner, createVerifier, httpbis, type Request as HmsRequest, type Response as HmsResponse } from 'http-message-signatures';

import { TEST_KEYS, type TestKey } from '../../../test/rfc9421-examples';
import { contentDigest } from '../content-digest/content-digest.util';
import { requestMessage, responseMessage } from './http-message.util';
import type { SignatureAlgorithm } from './signature-algorithm.util';
import { signMessage } from './sign-message.util';
import { verifyMessageSignature } from './verify-message.util';

const ALGORITHMS: readonly (readonly [Exclude<SignatureAlgorithm, 'ecdsa-p384-sha384'>, TestKey])[] = [
  ['rsa-pss-sha512', TEST_KEYS.rsaPss],
  ['rsa-v1_5-sha256', TEST_KEYS.rsa],
  ['ecdsa-p256-sha256', TEST_KEYS.eccP256],
  ['ed25519', TEST_KEYS.ed25519],
  ['hmac-sha256', TEST_KEYS.sharedSecret],
];

const BODY = Buffer.from('{"soHieu":"123/QĐ-UBND","trichYeu":"Về việc ..."}');
const COMPONENTS = ['@method', '@target-uri', '@authority', '@path', '@query', 'content-digest', 'content-type', 'x-request-id'];
// Its @query-param re-encodes with encodeURIComponent, ours as RFC 9421 §2.2.8 does: they agree on plain values.
const THEIR_COMPONENTS = [...COMPONENTS, '@query-param;name="page"'];
const OUR_COMPONENTS = [...COMPONENTS, '"@query-param";name="page"'];

function request(): HmsRequest {
  return {
    method: 'POST',
    url: 'https://lgsp.example.gov.vn/v1/documents/van-ban?page=2&size=20',
    headers: {
      host: 'lgsp.example.gov.vn',
      'content-type': 'application/json; charset=utf-8',
      'content-digest': contentDigest(BODY, 'sha-512'),
      'x-request-id': '5f0e7c9a-3b1d-4e2f-9a8b-1c2d3e4f5a6b',
    },
  };
}

const ours = (message: HmsRequest) => requestMessage({ method: message.method, url: message.url, headers: message.headers });

describe('interoperability with http-message-signatures', () => {
  describe.each(ALGORITHMS.map(([alg, key]) => [alg, key] as const))('%s', (alg, key) => {
    it('it signs, we verify', async () => {
      const created = new Date('2026-03-01T08:00:00Z');
      const signed = await httpbis.signMessage(
        { key: createSigner(key.privateKey, alg, key.keyid), name: 'sig1', fields: THEIR_COMPONENTS, params: ['created', 'keyid', 'alg'], paramValues: { created } },
        request(),
      );
      const result = await verifyMessageSignature(ours(signed), {
        keyLookup: (keyid, signedAlg) => (keyid === key.keyid && signedAlg === alg ? { key: key.publicKey, alg } : undefined),
        now: () => created,
        requiredComponents: OUR_COMPONENTS,
      });
      expect(result).toMatchObject({ ok: true, label: 'sig1', keyid: key.keyid, alg });
    });

    it('we sign, it verifies', async () => {
      const message = request();
      const signed = await signMessage(ours(message), {
        label: 'sig1',
        components: OUR_COMPONENTS,
        keyid: key.keyid,
        alg,
        key: key.privateKey,
        created: new Date(),
      });
      const verified = await httpbis.verifyMessage(
        {
          keyLookup: async ({ keyid }) => (keyid === key.keyid ? { id: key.keyid, algs: [alg], verify: createVerifier(key.publicKey, alg) } : null),
          // It matches required fields by name only.
          requiredFields: [...COMPONENTS, '@query-param'],
          requiredParams: ['created', 'keyid', 'alg'],
        },
        { ...message, headers: { ...message.headers, 'signature-input': signed.signatureInput, signature: signed.signature } },
      );
      expect(verified).toBe(true);
    });

    it('it refuses what we signed once the body digest changes', async () => {
      const message = request();
      const signed = await signMessage(ours(message), { label: 'sig1', components: OUR_COMPONENTS, keyid: key.keyid, alg, key: key.privateKey, created: new Date() });
      const tampered = { ...message.headers, 'content-digest': contentDigest(Buffer.from('{}'), 'sha-512'), 'signature-input': signed.signatureInput, signature: signed.signature };
      await expect(
        httpbis.verifyMessage({ keyLookup: async () => ({ id: key.keyid, algs: [alg], verify: createVerifier(key.publicKey, alg) }) }, { ...message, headers: tampered }),
      ).resolves.toBe(false);
    });
  });

  it('a response bound to its request with ;req, both ways (ecdsa-p256-sha256)', async () => {
    const key = TEST_KEYS.eccP256;
    const response: HmsResponse = { status: 201, headers: { 'content-type': 'application/json', 'content-digest': contentDigest(Buffer.from('{"id":7}')), 'x-request-id': '5f0e7c9a-3b1d-4e2f-9a8b-1c2d3e4f5a6b' } };
    const created = new Date();
    const theirFields = ['@status', 'content-digest', 'x-request-id', '@method;req', '@target-uri;req', 'content-digest;req'];
    const ourFields = ['@status', 'content-digest', 'x-request-id', '"@method";req', '"@target-uri";req', '"content-digest";req'];
    const lookup = { keyLookup: () => ({ key: key.publicKey, alg: 'ecdsa-p256-sha256' as const }), now: () => created, requiredComponents: ourFields };

    const theirs = await httpbis.signMessage({ key: createSigner(key.privateKey, 'ecdsa-p256-sha256', key.keyid), name: 'lgsp', fields: theirFields, paramValues: { created } }, response, request());
    expect(await verifyMessageSignature(responseMessage(theirs, ours(request())), lookup)).toMatchObject({ ok: true, label: 'lgsp' });

    const signed = await signMessage(responseMessage(response, ours(request())), { label: 'lgsp', components: ourFields, keyid: key.keyid, alg: 'ecdsa-p256-sha256', key: key.privateKey, created });
    const verified = await httpbis.verifyMessage(
      { keyLookup: async () => ({ id: key.keyid, algs: ['ecdsa-p256-sha256'], verify: createVerifier(key.publicKey, 'ecdsa-p256-sha256') }) },
      { ...response, headers: { ...response.headers, 'signature-input': signed.signatureInput, signature: signed.signature } },
      request(),
    );
    expect(verified).toBe(true);
  });
});

import {
  APPENDIX_B2,
  B3_TTRP,
  B4_TRANSFORM,
  SECTION_2_4_RESPONSE,
  SECTION_2_5_REQUEST,
  SECTION_4_3_CLIENT,
  SECTION_4_3_PROXY,
  type SignatureExample,
  TEST_KEYS,
} from '../../../test/rfc9421-examples';
import { requestMessage } from './http-message.util';
import { signMessage } from './sign-message.util';
import { signatureBase } from './signature-base.util';
import { parseSignatureHeaders } from './signature-headers.util';
import { verifyMessageSignature } from './verify-message.util';

const EXAMPLES: readonly SignatureExample[] = [...APPENDIX_B2, B3_TTRP, SECTION_2_4_RESPONSE, SECTION_2_5_REQUEST, SECTION_4_3_CLIENT, SECTION_4_3_PROXY];

function signed(example: SignatureExample, extra: Record<string, string> = {}) {
  return example.message({ 'Signature-Input': example.signatureInput, Signature: example.signature, ...extra });
}

function verifier(example: SignatureExample, nowSeconds = example.now) {
  return {
    keyLookup: (keyid: string) => (keyid === example.key.keyid ? { key: example.key.publicKey, alg: example.alg } : undefined),
    now: () => new Date(nowSeconds * 1000),
  };
}

describe('RFC 9421 examples', () => {
  describe.each(EXAMPLES.map((example) => [example.name, example] as const))('%s', (_name, example) => {
    it('builds the signature base of the RFC', () => {
      const [parsed] = parseSignatureHeaders(example.signatureInput, example.signature);
      expect(signatureBase(signed(example), parsed.covered, parsed.params)).toBe(example.base);
    });

    it("verifies the RFC's signature with the clock at its created time", async () => {
      const result = await verifyMessageSignature(signed(example), verifier(example));
      expect(result).toMatchObject({ ok: true, label: example.label, keyid: example.key.keyid, alg: example.alg, base: example.base });
    });

    it('refuses the signature once a covered component changes', async () => {
      if (example.tamper === undefined) return; // B.2.1 covers nothing: it verifies on any message.
      expect(await verifyMessageSignature(signed(example, example.tamper), verifier(example))).toMatchObject({ ok: false, reason: 'bad-signature' });
    });

    it(example.deterministic ? 'signs byte for byte as the RFC does' : 'signs a signature that verifies (the algorithm is randomised)', async () => {
      const [parsed] = parseSignatureHeaders(example.signatureInput, example.signature);
      const message = example.message({});
      const ours = await signMessage(message, {
        label: example.label,
        components: parsed.covered,
        keyid: example.key.keyid,
        alg: example.alg,
        key: example.key.privateKey,
        created: new Date((parsed.created as number) * 1000),
        ...(parsed.expires !== undefined && { expires: new Date(parsed.expires * 1000) }),
        ...(parsed.nonce !== undefined && { nonce: parsed.nonce }),
        ...(parsed.tag !== undefined && { tag: parsed.tag }),
        includeAlg: parsed.alg !== undefined,
      });
      expect(ours.signatureInput).toBe(example.signatureInput);
      expect(ours.base).toBe(example.base);
      if (example.deterministic) expect(ours.signature).toBe(example.signature);
      else expect(ours.signature).not.toBe(example.signature);
      const result = await verifyMessageSignature(example.message({ 'Signature-Input': ours.signatureInput, Signature: ours.signature }), verifier(example));
      expect(result.ok).toBe(true);
    });
  });

  it('§4.3: the proxy signature is refused after its expires', async () => {
    const result = await verifyMessageSignature(signed(SECTION_4_3_PROXY), verifier(SECTION_4_3_PROXY, 1618884541));
    expect(result).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('§2.4: the response signature needs the request it covers', async () => {
    const response = SECTION_2_4_RESPONSE.message({ 'Signature-Input': SECTION_2_4_RESPONSE.signatureInput, Signature: SECTION_2_4_RESPONSE.signature });
    const orphan = { status: 503, headers: response.headers };
    expect(await verifyMessageSignature(orphan, verifier(SECTION_2_4_RESPONSE))).toMatchObject({ ok: false, reason: 'missing-component' });
  });

  describe('B.4 message transformations (ed25519)', () => {
    const transformed = (method: string, url: string, headers: Record<string, string | string[]>) =>
      requestMessage({ method, url, headers: { ...headers, 'Signature-Input': B4_TRANSFORM.signatureInput, Signature: B4_TRANSFORM.signature } });
    const verify = (message: ReturnType<typeof transformed>) =>
      verifyMessageSignature(message, { keyLookup: () => ({ key: TEST_KEYS.ed25519.publicKey, alg: 'ed25519' }), now: () => new Date(1618884473000) });

    it('signs the original message byte for byte', async () => {
      const original = requestMessage({
        method: 'GET',
        url: 'https://example.org/demo?name1=Value1&Name2=value2',
        headers: { Host: 'example.org', Date: 'Fri, 15 Jul 2022 14:24:55 GMT', Accept: ['application/json', '*/*'] },
      });
      const ours = await signMessage(original, {
        label: 'transform',
        components: ['@method', '@path', '@authority', 'accept'],
        keyid: 'test-key-ed25519',
        alg: 'ed25519',
        key: TEST_KEYS.ed25519.privateKey,
        created: new Date(1618884473000),
        includeAlg: false,
      });
      expect(ours).toMatchObject({ signatureInput: B4_TRANSFORM.signatureInput, signature: B4_TRANSFORM.signature, base: B4_TRANSFORM.base });
    });

    it.each([
      ['an added query parameter and Accept-Language', 'https://example.org/demo?name1=Value1&Name2=value2&param=added', { 'Accept-Language': 'en-US,en;q=0.5' }],
      ['Date removed, Referer added, Accept lines combined', 'https://example.org/demo?name1=Value1&Name2=value2', { Referer: 'https://developer.example.org/demo', Accept: 'application/json, */*' }],
    ])('still verifies with %s', async (_case, url, extra) => {
      const headers: Record<string, string | string[]> = { Host: 'example.org', Date: 'Fri, 15 Jul 2022 14:24:55 GMT', Accept: ['application/json', '*/*'], ...extra };
      if ('Referer' in extra) delete headers['Date'];
      expect((await verify(transformed('GET', url, headers))).ok).toBe(true);
    });

    it.each([
      ['the method and authority changed', 'POST', 'https://example.com/demo?name1=Value1&Name2=value2', ['application/json', '*/*']],
      ['the Accept lines reordered', 'GET', 'https://example.org/demo?name1=Value1&Name2=value2', ['*/*', 'application/json']],
    ])('no longer verifies with %s', async (_case, method, url, accept) => {
      const result = await verify(transformed(method, url, { Host: new URL(url).host, Accept: accept }));
      expect(result).toMatchObject({ ok: false, reason: 'bad-signature' });
    });
  });
});

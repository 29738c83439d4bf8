// The worked example of docs/signatures.md, reproduced: if this fails, the document is wrong.
import { TEST_KEYS } from '../../../test/rfc9421-examples';
import { requestMessage } from '../rfc9421/http-message.util';
import { verifyMessageSignature } from '../rfc9421/verify-message.util';
import type { LgspHttpRequest } from './lgsp-message.type';
import { LGSP_SIGNATURE_HEADERS } from './lgsp-signature.constant';
import { signLgspRequest } from './sign-lgsp.util';

const request: LgspHttpRequest = {
  method: 'POST',
  url: 'https://lgsp.example.gov.vn/v1/documents/van-ban?nam=2026',
  headers: { 'Content-Type': 'application/json', 'X-Request-ID': '0f9a6f9e-5c1b-4a8e-9d2f-3b7c6a1e2d4f' },
  body: Buffer.from('{"soHieu":"123/QD-UBND","ngayBanHanh":"2026-03-02"}'),
};

const CONTENT_DIGEST = 'sha-256=:SPowF7pe+lE9b7CMYuQGn0CdFqzR172FSOmcpoZc3xA=:';
const SIGNATURE_INPUT = 'sig1=("@method" "@target-uri" "x-request-id" "content-digest");created=1772438400;keyid="tu-ha-noi-2026";alg="rsa-v1_5-sha256"';
const SIGNATURE =
  'sig1=:FnN/9tJ4+EuQO6f4AohbTmIxyp4ItQdNbZ3FqVSAQHHrFZdm9i8oWQgDh4SMqFtSzcOYCUAe/eOqp7Ex1YSvgy51U0cLwTYVft7vD1oTDxGdBoYDLnfMvAu1TA/dNUhQNNCHolKitn338rxhtn3WRr4qqnJIYRL2HpFLQeKmMZqnNneMvDZriL8jdP2auQKqC7Cj6njvAXnC4jjZOvn+4O2YLuBJIwWDMGAIn0q3ND0CNJ3GQ6v3s47ZfKWNP6NPaz9ZKSOG7a0Qdj9NCNqZERaZ6mKZsPr6hXviCStSaeFDAWzvEdUei+uim/kAwWjPNAP1IH1SatNzDEZVNF3C/A==:';
const BASE = [
  '"@method": POST',
  '"@target-uri": https://lgsp.example.gov.vn/v1/documents/van-ban?nam=2026',
  '"x-request-id": 0f9a6f9e-5c1b-4a8e-9d2f-3b7c6a1e2d4f',
  `"content-digest": ${CONTENT_DIGEST}`,
  '"@signature-params": ("@method" "@target-uri" "x-request-id" "content-digest");created=1772438400;keyid="tu-ha-noi-2026";alg="rsa-v1_5-sha256"',
].join('\n');

describe('the worked example of docs/signatures.md', () => {
  it('signs the POST with RFC 9421 test-key-rsa as certificate tu-ha-noi-2026, byte for byte', async () => {
    const signed = await signLgspRequest(request, { keyid: 'tu-ha-noi-2026', key: TEST_KEYS.rsa.privateKey, now: new Date('2026-03-02T08:00:00Z') });
    expect(signed).toEqual({
      headers: { 'content-digest': CONTENT_DIGEST, 'x-signature-input': SIGNATURE_INPUT, 'x-signature': SIGNATURE },
      base: BASE,
    });
  });

  it('verifies with the public key', async () => {
    const message = requestMessage({ ...request, headers: { ...(request.headers as Record<string, string>), 'Content-Digest': CONTENT_DIGEST, 'X-Signature-Input': SIGNATURE_INPUT, 'X-Signature': SIGNATURE } });
    const result = await verifyMessageSignature(message, {
      headerNames: LGSP_SIGNATURE_HEADERS,
      keyLookup: () => ({ key: TEST_KEYS.rsa.publicKey, alg: 'rsa-v1_5-sha256' }),
      now: () => new Date('2026-03-02T08:00:30Z'),
    });
    expect(result).toMatchObject({ ok: true, base: BASE });
  });
});

import fc from 'fast-check';

import { contentDigest, verifyContentDigest } from './content-digest.util';

const HELLO = Buffer.from('{"hello": "world"}');
const SHA256 = 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:';
const SHA512 = 'sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:';

describe('Content-Digest (RFC 9530)', () => {
  it("computes the RFC's examples", () => {
    expect(contentDigest(HELLO)).toBe(SHA256);
    expect(contentDigest(HELLO, 'sha-256')).toBe(SHA256);
    expect(contentDigest(HELLO, 'sha-512')).toBe(SHA512);
    expect(contentDigest(new Uint8Array())).toBe('sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:');
  });

  it('verifies one algorithm or several, every known one matching', () => {
    expect(verifyContentDigest(SHA256, HELLO)).toEqual({ ok: true, digests: { 'sha-256': 'X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=' } });
    expect(verifyContentDigest(`${SHA512},   ${SHA256}`, HELLO)).toMatchObject({ ok: true, digests: { 'sha-256': expect.any(String), 'sha-512': expect.any(String) } });
    expect(verifyContentDigest(`${SHA256}, sha-512=:AAAA:`, HELLO)).toMatchObject({ ok: false, reason: 'mismatch', detail: expect.stringMatching(/sha-512/) });
  });

  it('ignores deprecated and unknown algorithms, but needs a known one', () => {
    expect(verifyContentDigest(`md5=:AAAA:, unixsum=:AA==:, ${SHA256}`, HELLO)).toMatchObject({ ok: true, digests: { 'sha-256': expect.any(String) } });
    expect(verifyContentDigest('md5=:AAAA:, sha=:AAAA:', HELLO)).toMatchObject({ ok: false, reason: 'unsupported', detail: expect.stringMatching(/it has md5, sha/) });
    expect(verifyContentDigest('', HELLO)).toMatchObject({ ok: false, reason: 'unsupported' });
  });

  it.each([
    ['not a dictionary', 'sha-256=:X48E9', /not a structured dictionary/],
    ['a member that is not a byte sequence', 'sha-256="X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE="', /not a byte sequence/],
    ['a token instead of bytes', 'sha-256=abc', /not a byte sequence/],
  ])('refuses %s as malformed', (_case, header, detail) => {
    expect(verifyContentDigest(header, HELLO)).toMatchObject({ ok: false, reason: 'malformed', detail: expect.stringMatching(detail) });
  });

  it('refuses a digest of the wrong length as a mismatch', () => {
    expect(verifyContentDigest('sha-256=:AAAA:', HELLO)).toMatchObject({ ok: false, reason: 'mismatch' });
  });

  it('matches any body it computed, and no other (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), fc.constantFrom('sha-256' as const, 'sha-512' as const), fc.nat(), (body, alg, position) => {
        const header = contentDigest(body, alg);
        expect(verifyContentDigest(header, body).ok).toBe(true);
        const changed = Buffer.from(body.length === 0 ? [0] : body);
        if (body.length > 0) changed[position % changed.length] ^= 0x01;
        expect(verifyContentDigest(header, changed)).toMatchObject({ ok: false, reason: 'mismatch' });
      }),
    );
  });
});

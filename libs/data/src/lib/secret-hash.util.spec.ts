import { hashSecret, isSecretHash, verifySecret } from './secret-hash.util';

describe('secret hashing', () => {
  const pepper = 'pepper-0123456789abcdef0123456789abcdef';
  const secret = 'Zx8s1q3b7Qm2Lr6Tz0Ya4Vn9Kc5We1Pd3Hg7Jf2Xb8';

  it('is a deterministic keyed HMAC-SHA-256 in base64url', () => {
    const hash = hashSecret(secret, pepper);
    expect(hash).toMatch(/^hmac-sha256:[A-Za-z0-9_-]{43}$/);
    expect(hashSecret(secret, pepper)).toBe(hash);
    expect(hashSecret(secret, 'another-pepper')).not.toBe(hash);
    expect(hash).not.toContain(secret);
    expect(isSecretHash(hash)).toBe(true);
  });

  it('verifies the secret and nothing else', () => {
    const hash = hashSecret(secret, pepper);
    expect(verifySecret(secret, hash, pepper)).toBe(true);
    expect(verifySecret(secret + 'x', hash, pepper)).toBe(false);
    expect(verifySecret('', hash, pepper)).toBe(false);
    expect(verifySecret(secret, hash, 'another-pepper')).toBe(false);
    expect(verifySecret(secret, hash.slice(0, -1), pepper)).toBe(false);
    expect(verifySecret(secret, 'plain-text', pepper)).toBe(false);
    expect(verifySecret(secret, hash.replace('hmac-sha256', 'hmac-sha512'), pepper)).toBe(false);
  });

  it('recognises only its own format', () => {
    expect(isSecretHash('hmac-sha256:' + 'A'.repeat(43))).toBe(true);
    expect(isSecretHash('hmac-sha256:' + 'A'.repeat(44))).toBe(false);
    expect(isSecretHash('hmac-sha256:' + '+'.repeat(43))).toBe(false);
    expect(isSecretHash('sha256:' + 'A'.repeat(43))).toBe(false);
  });

  it('needs a pepper', () => {
    expect(() => hashSecret(secret, '')).toThrow('pepper');
  });
});

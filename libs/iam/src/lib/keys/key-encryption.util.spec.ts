import { KeyDecryptionError, decryptPrivateKey, deriveKeyEncryptionKey, encryptPrivateKey } from './key-encryption.util';
import { generateSigningKey } from './signing-key.util';

describe('signing keys at rest', () => {
  const key = deriveKeyEncryptionKey('a-key-encryption-key-of-at-least-32-characters');
  const { kid, pkcs8 } = generateSigningKey();

  it('stores AES-256-GCM ciphertext with a version prefix, never the PKCS#8 bytes', () => {
    const stored = encryptPrivateKey(pkcs8, key, kid);
    expect(stored).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    const bytes = Buffer.from(stored.split('.')[3], 'base64url');
    expect(bytes.length).toBe(pkcs8.length);
    expect(bytes.includes(pkcs8.subarray(pkcs8.length - 32))).toBe(false);
    expect(stored).not.toContain(pkcs8.toString('base64url').slice(-40));
    expect(stored).not.toContain(pkcs8.toString('base64').slice(-40));
    expect(decryptPrivateKey(stored, key, kid)).toEqual(pkcs8);
  });

  it('encrypts the same key differently each time (a fresh IV)', () => {
    expect(encryptPrivateKey(pkcs8, key, kid)).not.toBe(encryptPrivateKey(pkcs8, key, kid));
  });

  it('cannot be decrypted with another key-encryption key, on another row, or tampered with', () => {
    const stored = encryptPrivateKey(pkcs8, key, kid);
    expect(() => decryptPrivateKey(stored, deriveKeyEncryptionKey('another-key-encryption-key-of-32-characters'), kid)).toThrow(KeyDecryptionError);
    expect(() => decryptPrivateKey(stored, key, 'another-kid')).toThrow(KeyDecryptionError);
    const parts = stored.split('.');
    const flipped = Buffer.from(parts[3], 'base64url');
    flipped[0] ^= 1;
    expect(() => decryptPrivateKey([parts[0], parts[1], parts[2], flipped.toString('base64url')].join('.'), key, kid)).toThrow(KeyDecryptionError);
    expect(() => decryptPrivateKey(`v2.${parts.slice(1).join('.')}`, key, kid)).toThrow('Unknown format');
  });

  it('derives the key with HKDF: deterministic, 32 bytes, not the secret itself', () => {
    const again = deriveKeyEncryptionKey('a-key-encryption-key-of-at-least-32-characters');
    expect(again).toEqual(key);
    expect(key.length).toBe(32);
    expect(key.toString('utf8')).not.toContain('a-key-encryption');
  });
});

describe('generateSigningKey', () => {
  it('makes P-256 keys whose kid is the RFC 7638 thumbprint', async () => {
    const { calculateJwkThumbprint } = await import('jose');
    const generated = generateSigningKey();
    expect(generated.publicJwk).toEqual({ kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String) });
    expect(generated.kid).toBe(await calculateJwkThumbprint(generated.publicJwk, 'sha256'));
    expect(generateSigningKey().kid).not.toBe(generated.kid);
  });
});

import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const HKDF_SALT = 'lgsp-iam-key-encryption';
const HKDF_INFO = 'lgsp iam signing-key encryption v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The AES-256-GCM key that LGSP_KEY_ENCRYPTION_KEY stands for: HKDF-SHA-256, derived once. */
export function deriveKeyEncryptionKey(secret: string): Buffer {
  if (secret.length === 0) throw new Error('A key-encryption key is required');
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), HKDF_SALT, HKDF_INFO, 32));
}

/**
 * `v1.<iv>.<tag>.<ciphertext>`, each base64url. The associated data (the key's kid) binds a
 * ciphertext to its row: moved to another row, it no longer decrypts.
 */
export function encryptPrivateKey(plaintext: Buffer, key: Buffer, associatedData: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
}

export class KeyDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyDecryptionError';
  }
}

/** Throws KeyDecryptionError on a wrong key, a tampered or moved ciphertext, or an unknown format. */
export function decryptPrivateKey(stored: string, key: Buffer, associatedData: string): Buffer {
  const parts = stored.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION) throw new KeyDecryptionError('Unknown format of a stored private key');
  const [, iv, tag, ciphertext] = parts.map((part) => Buffer.from(part, 'base64url'));
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new KeyDecryptionError('Unknown format of a stored private key');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw new KeyDecryptionError('The key-encryption key does not decrypt the stored signing key');
  }
}

import { createHmac, timingSafeEqual } from 'node:crypto';

const PREFIX = 'hmac-sha256:';
const SECRET_HASH_PATTERN = /^hmac-sha256:[A-Za-z0-9_-]{43}$/;

// A keyed hash, not a slow KDF: secrets are ≥256-bit random, and determinism keeps the declarative apply idempotent.
export function hashSecret(secret: string, pepper: string): string {
  return PREFIX + digest(secret, pepper).toString('base64url');
}

/** Constant time in the secret: the stored value is compared digest to digest, both 32 bytes. */
export function verifySecret(secret: string, storedHash: string, pepper: string): boolean {
  const actual = digest(secret, pepper);
  const wellFormed = isSecretHash(storedHash);
  const expected = wellFormed ? Buffer.from(storedHash.slice(PREFIX.length), 'base64url') : Buffer.alloc(actual.length);
  return timingSafeEqual(actual, expected) && wellFormed;
}

/** The shape of hashSecret's output: what a declarative file may give as client_secret_hash. */
export function isSecretHash(value: string): boolean {
  return SECRET_HASH_PATTERN.test(value);
}

function digest(secret: string, pepper: string): Buffer {
  if (!pepper) throw new Error('A secret pepper is required to hash secrets');
  return createHmac('sha256', pepper).update(secret, 'utf8').digest();
}

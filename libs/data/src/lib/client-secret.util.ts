import { randomBytes } from 'node:crypto';

/** Bytes of CSPRNG output in a client secret: 256 bits. */
export const CLIENT_SECRET_BYTES = 32;

/** A new client secret: 256 bits from the CSPRNG, base64url (43 characters, safe in forms and Basic). */
export function generateClientSecret(): string {
  return randomBytes(CLIENT_SECRET_BYTES).toString('base64url');
}

/** A new client id (Consumer Key) when the caller gives none: 144 random bits, base64url. */
export function generateClientId(): string {
  return randomBytes(18).toString('base64url');
}

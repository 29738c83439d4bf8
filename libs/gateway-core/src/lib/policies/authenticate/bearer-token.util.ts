import type { LgspError } from '@lgsp/contracts';

import { TokenRefusal } from './token-refusal.constant';

const SCHEME = 'bearer';
const SPACE = 0x20;

/**
 * The token of `Authorization: Bearer <token>` (RFC 6750 §2.1; the scheme is case-insensitive,
 * RFC 9110 §11.1), or the refusal saying why there is none. Compares character codes rather than
 * lower-casing a copy: this runs on every request.
 */
export function bearerTokenOf(header: string | undefined): string | LgspError {
  if (header === undefined || header.length === 0) return TokenRefusal.missing;
  if (header.length < SCHEME.length) return TokenRefusal.scheme;
  for (let i = 0; i < SCHEME.length; i++) {
    // | 0x20 lower-cases an ASCII capital and maps nothing else onto a lower-case letter.
    if ((header.charCodeAt(i) | 0x20) !== SCHEME.charCodeAt(i)) return TokenRefusal.scheme;
  }
  if (header.length === SCHEME.length) return TokenRefusal.empty;
  if (header.charCodeAt(SCHEME.length) !== SPACE) return TokenRefusal.scheme;
  let start = SCHEME.length + 1;
  let end = header.length;
  while (start < end && header.charCodeAt(start) === SPACE) start++;
  while (end > start && header.charCodeAt(end - 1) === SPACE) end--;
  if (start === end) return TokenRefusal.empty;
  return header.slice(start, end);
}

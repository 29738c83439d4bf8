import { OAuthErrorCode } from '@lgsp/contracts';

import { OAuthError } from '../oauth/oauth.error';

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * The scope to grant: all that is allowed when none is requested; otherwise the requested tokens,
 * every one of which must be allowed (in the allowed order, once each). Outside it: invalid_scope.
 */
export function grantScope(allowed: readonly string[], requested: string | undefined): string[] {
  if (requested === undefined) return [...allowed];
  const tokens = requested.split(' ').filter((token) => token !== '');
  if (tokens.length === 0) return [...allowed];
  const allowedSet = new Set(allowed);
  for (const token of tokens) {
    if (!SCOPE_TOKEN.test(token) || !allowedSet.has(token)) {
      throw new OAuthError(OAuthErrorCode.InvalidScope, 'The requested scope is not granted to this client', 400, {}, 'scope');
    }
  }
  const wanted = new Set(tokens);
  return allowed.filter((token) => wanted.has(token));
}

import { JWT_BEARER_ASSERTION_TYPE } from '../iam.constant';
import type { OAuthParams } from '../oauth/oauth-request.util';
import { OAuthError } from '../oauth/oauth.error';

/** The client credentials a request carries, before anything is checked against the registry. */
export type PresentedCredentials =
  | { readonly method: 'client_secret_basic' | 'client_secret_post'; readonly clientId: string; readonly secret: string }
  /** An Authorization header that is not well-formed Basic: fails, and counts against the IP. */
  | { readonly method: 'client_secret_basic'; readonly clientId?: undefined; readonly malformed: true }
  | { readonly method: 'private_key_jwt'; readonly clientId?: string; readonly assertion: string }
  | { readonly method: 'none'; readonly clientId?: string };

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** RFC 6749 §2.3.1 / Appendix B: client_id and secret are form-encoded before Basic encoding. */
function formDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

function parseBasic(authorization: string): PresentedCredentials {
  const malformed = { method: 'client_secret_basic', malformed: true } as const;
  const match = /^basic +(\S+) *$/i.exec(authorization);
  if (match === null || !BASE64.test(match[1])) return malformed;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return malformed;
  const clientId = formDecode(decoded.slice(0, colon));
  const secret = formDecode(decoded.slice(colon + 1));
  if (clientId === undefined || secret === undefined || clientId === '' || secret === '') return malformed;
  return { method: 'client_secret_basic', clientId, secret };
}

/**
 * Which one authentication method the request uses (RFC 6749 §2.3: exactly one), with its
 * credentials. Two methods, or a method's parameters given incompletely, are an invalid_request.
 */
export function presentedCredentials(params: OAuthParams, authorization: string | undefined): PresentedCredentials {
  const clientIdParam = params.get('client_id');
  const secretParam = params.get('client_secret');
  const assertion = params.get('client_assertion');
  const assertionType = params.get('client_assertion_type');
  const used = [authorization !== undefined, secretParam !== undefined, assertion !== undefined || assertionType !== undefined].filter(Boolean).length;
  if (used > 1) throw OAuthError.invalidRequest('Use exactly one client authentication method');

  if (authorization !== undefined) {
    const basic = parseBasic(authorization);
    if (basic.clientId !== undefined && clientIdParam !== undefined && clientIdParam !== basic.clientId) {
      throw OAuthError.invalidRequest('client_id does not match the client of the Authorization header');
    }
    return basic;
  }
  if (secretParam !== undefined) {
    if (clientIdParam === undefined) throw OAuthError.invalidRequest('client_secret_post requires client_id');
    return { method: 'client_secret_post', clientId: clientIdParam, secret: secretParam };
  }
  if (assertion !== undefined || assertionType !== undefined) {
    if (assertion === undefined || assertionType === undefined) throw OAuthError.invalidRequest('private_key_jwt requires client_assertion and client_assertion_type');
    if (assertionType !== JWT_BEARER_ASSERTION_TYPE) throw OAuthError.invalidRequest(`client_assertion_type must be ${JWT_BEARER_ASSERTION_TYPE}`);
    return { method: 'private_key_jwt', clientId: clientIdParam, assertion };
  }
  return { method: 'none', clientId: clientIdParam };
}

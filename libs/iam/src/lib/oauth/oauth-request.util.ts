import { Header } from '@lgsp/contracts';
import type { FastifyRequest } from 'fastify';

import type { FormFields } from './form-body.util';
import { isFormContentType } from './form-body.util';
import type { OAuthEndpoint, OAuthExchange } from './oauth-exchange.util';
import { exchangeOf, startExchange } from './oauth-exchange.util';
import { OAuthError } from './oauth.error';

/** Parameter names the OAuth endpoints read: only these are ever named back in an error description. */
const KNOWN_PARAMETERS: ReadonlySet<string> = new Set([
  'grant_type',
  'scope',
  'client_id',
  'client_secret',
  'client_assertion',
  'client_assertion_type',
  'token',
  'token_type_hint',
]);

/** The parameters of one OAuth request, each given at most once (RFC 6749 §3.1). */
export class OAuthParams {
  private constructor(private readonly fields: FormFields) {}

  static from(fields: FormFields): OAuthParams {
    for (const name of Object.keys(fields)) {
      if (typeof fields[name] !== 'string') {
        // An unknown name may be anything the client typed, a secret included: never echo it.
        throw OAuthError.invalidRequest(KNOWN_PARAMETERS.has(name) ? `The parameter ${name} is given more than once` : 'A parameter is given more than once');
      }
    }
    return new OAuthParams(fields);
  }

  /** The value; a parameter sent without a value counts as absent (RFC 6749 §3.1). */
  get(name: string): string | undefined {
    const value = this.fields[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  }
}

/** An OAuth endpoint's view of its request. */
export interface OAuthRequest {
  readonly params: OAuthParams;
  readonly authorization?: string;
  readonly ip: string;
  readonly exchange: OAuthExchange;
}

/** Reads the form parameters; anything but a form body is an invalid_request. */
export function readOAuthRequest(request: FastifyRequest, endpoint: OAuthEndpoint): OAuthRequest {
  const exchange = exchangeOf(request.raw) ?? startExchange(request.raw, endpoint, new Date());
  if (!isFormContentType(request.headers['content-type'])) {
    throw OAuthError.invalidRequest('The request body must be application/x-www-form-urlencoded');
  }
  const body = request.body ?? {};
  if (typeof body !== 'object' || Array.isArray(body)) throw OAuthError.invalidRequest('The request body could not be read as a form');
  const authorization = request.headers[Header.authorization];
  return { params: OAuthParams.from(body as FormFields), authorization, ip: request.ip, exchange };
}

import type { GatewayPolicy } from '../chain/gateway-policy.type';
import { AccessTokenVerifier } from './authenticate/access-token-verifier.service';
import type { AuthenticatePolicyConfig } from './authenticate/access-token-verifier.service';

/**
 * Phase 2: `Authorization: Bearer <JWT>` — an RFC 9068 access token signed by IAM (ES256, named
 * kid), for this platform (iss = aud = LGSP_PUBLIC_URL), not expired, not revoked, naming the
 * consumer system, its credential and its environment. The environment picks the upstream. Every
 * refusal is 401 invalid_token with a Bearer challenge saying what was wrong.
 */
export const authenticatePolicy: GatewayPolicy<AuthenticatePolicyConfig> = {
  name: 'authenticate',
  phase: 20,
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      clockToleranceSeconds: {
        type: 'integer',
        minimum: 0,
        maximum: 300,
        description: 'Seconds of clock skew between IAM and the gateway allowed when checking exp, nbf and iat',
        default: 30,
      },
      claimsCacheMaxEntries: {
        type: 'integer',
        minimum: 1,
        description: 'Verified tokens whose claims are kept until they expire (least recently used go first when full)',
        default: 10000,
      },
      unknownKidRefetchIntervalMs: {
        type: 'integer',
        minimum: 100,
        description: 'Least milliseconds between two JWKS reloads caused by tokens naming an unknown kid',
        default: 5000,
      },
      maxTokenLength: {
        type: 'integer',
        minimum: 256,
        description: 'Longest bearer token, in characters, that is worth verifying; longer ones are refused unread',
        default: 8192,
      },
    },
  },
  create: (config, { tokens, clock }) => new AccessTokenVerifier(config, tokens, clock),
};

import { ErrorCode, Header, LgspError, isUuidV4 } from '@lgsp/contracts';

import type { GatewayPolicy } from '../chain/gateway-policy.type';

const REFUSAL_DETAIL = 'Send X-Request-ID with a fresh UUID v4 (RFC 9562) on every request';

/**
 * Phase 1: X-Request-ID is mandatory and must be a UUID v4 — the consumer's key for tracing one
 * transaction end to end. A malformed id is refused, never replaced: the consumer must be able to
 * find its own request in the ledger.
 */
export const requestIdPolicy: GatewayPolicy = {
  name: 'request-id',
  phase: 10,
  configSchema: { type: 'object', additionalProperties: false, properties: {} },
  create: () => ({
    handle(context) {
      const value = context.request.headers[Header.requestId];
      if (typeof value !== 'string' || !isUuidV4(value)) return new LgspError(ErrorCode.RequestIdInvalid, REFUSAL_DETAIL);
      context.requestId = value;
      context.reply.header(Header.requestId, value);
      return undefined;
    },
  }),
};

import type { AccessTokenClaims, Environment, ErrorCode, NetworkZone, SecurityEvent, TransactionSignature, TransactionThrottle } from '@lgsp/contracts';
import type { OpenApiOperation } from '@lgsp/openapi';
import type { SignatureEvidence } from '@lgsp/signature';
import type { FastifyReply, FastifyRequest } from 'fastify';

import type { ApiRoute } from '../routing/route-table';

/** What the chain learns about one request as it runs; the recorder turns it into the ledger record. */
export interface GatewayContext {
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
  readonly transactionId: string;
  /** Date.now() at receipt. */
  readonly receivedAt: number;
  /** The client's address behind the trusted proxies (LGSP_TRUSTED_PROXIES), worked out once by the guard. */
  clientIp?: string;
  /** The zone of clientIp (LGSP_WAN_CIDRS), worked out with it by the guard. */
  zone?: NetworkZone;
  /** SHA-256 (lowercase hex) of the client certificate the TLS handshake verified (optional mutual TLS). */
  clientCertificateSha256?: string;
  /** The consumer's X-Request-ID once the request-id policy has accepted it. */
  requestId?: string;
  traceId?: string;
  /** Path without the query string. */
  path: string;
  /** The query string with its leading '?', or ''. */
  query: string;
  apiVersion?: string;
  apiDomain?: string;
  /** The part after /{version}/{domain}, forwarded to the provider. */
  resourcePath?: string;
  route?: ApiRoute;
  /** REST: the operation of the provider's document the request calls; unset for SOAP. */
  operation?: OpenApiOperation;
  /** SOAP: whether the call spends the write budget, by its SOAP action (route sets it); unset: by method. */
  isWrite?: boolean;
  /** The verified access token's claims, once the authenticate policy has accepted it. */
  token?: AccessTokenClaims;
  /** The token's `env`: which upstream serves the call and which subscription it needs. */
  environment?: Environment;
  /** The token's `sub`: the consumer system. */
  consumerId?: string;
  /** The token's `client_id`: the credential the consumer system used. */
  clientId?: string;
  upstreamStartedAt?: number;
  upstreamDurationMs?: number;
  errorCode?: ErrorCode;
  /**
   * A security event a policy alone can tell (throttle-burst); the recorder derives the others from
   * errorCode and the classification.
   */
  securityEvent?: SecurityEvent;
  /** The throttle's decision, once it has taken one. */
  throttle?: TransactionThrottle;
  /** The request's X-Signature as the ledger keeps it, verified or refused (verify policy). */
  signature?: TransactionSignature;
  /** The request's verified signature: the response signature covers it (;req). */
  requestSignature?: SignatureEvidence;
  /** Whether the answer is signed: the request was signed, or LGSP_SIGN_ALL_RESPONSES (set by verify). */
  signResponse?: boolean;
  /** A signed answer's body, buffered by the proxy for the sign policy (unsigned answers stream). */
  responseBody?: Buffer;
  bytesIn: number;
  bytesOut?: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    lgsp?: GatewayContext;
  }
}

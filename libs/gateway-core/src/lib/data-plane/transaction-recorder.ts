import type { Classification, SecurityEvent, TransactionRecord } from '@lgsp/contracts';
import { ErrorCode } from '@lgsp/contracts';
import type { TransactionSink } from '@lgsp/ledger-client';
import type { FastifyReply, FastifyRequest } from 'fastify';

import type { GatewayContext } from '../chain/gateway-context.type';
import type { PendingSecurityEvents } from './pending-security-events';

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

/** The matched operation's classification (REST), else the version's (SOAP has no operation matching). */
function classificationOf(context: GatewayContext): Classification | undefined {
  const { route } = context;
  if (route === undefined) return undefined;
  return route.kind === 'soap' ? route.classification : context.operation?.classification;
}

/**
 * The record's security event, the most severe that applies (SECURITY_EVENTS' order): a refusal's
 * own, else a policy's (throttle-burst), else classified-access for any call aimed at Mật, Tối mật or
 * Tuyệt mật data, served or refused. A switch on constants: nothing allocated.
 */
function securityEventOf(context: GatewayContext, classification: Classification | undefined): SecurityEvent | undefined {
  switch (context.errorCode) {
    case ErrorCode.ReplayDetected:
      return 'replay-detected';
    case ErrorCode.ConsumerSuspended:
      return 'suspended-consumer-attempt';
    case ErrorCode.SignatureMissing:
    case ErrorCode.SignatureInvalid:
    case ErrorCode.DigestMismatch:
    case ErrorCode.KeyUnknown:
    case ErrorCode.CertificateExpired:
    case ErrorCode.CertificateRevoked:
    case ErrorCode.SignatureExpired:
      return 'signature-failure';
    case ErrorCode.InvalidToken:
      return 'authentication-failure';
    default:
      break;
  }
  if (context.securityEvent !== undefined) return context.securityEvent;
  return classification === 'mat' || classification === 'toi-mat' || classification === 'tuyet-mat' ? 'classified-access' : undefined;
}

/**
 * Step 10: one record per transaction, refusals included, built from identifiers and outcomes
 * only — the body, the Authorization header (the token) and the query string are never read here.
 */
export function recordTransaction(
  sink: TransactionSink,
  context: GatewayContext,
  request: FastifyRequest,
  reply: FastifyReply,
  alerts?: PendingSecurityEvents,
  accessLog: 'all' | 'errors' | 'off' = 'all',
): TransactionRecord {
  // The guard's answer (behind the trusted proxies); Fastify's, with the same proxies, for a request refused before the chain.
  const clientIp = context.clientIp ?? request.ip;
  const { route, upstreamStartedAt, upstreamDurationMs } = context;
  const classification = classificationOf(context);
  const record: TransactionRecord = {
    transactionId: context.transactionId,
    requestId: context.requestId,
    traceId: context.traceId,
    receivedAt: new Date(context.receivedAt).toISOString(),
    durationMs: round(reply.elapsedTime),
    upstreamStartedAt: upstreamStartedAt === undefined ? undefined : new Date(upstreamStartedAt).toISOString(),
    upstreamEndedAt: upstreamStartedAt === undefined || upstreamDurationMs === undefined ? undefined : new Date(upstreamStartedAt + upstreamDurationMs).toISOString(),
    upstreamDurationMs: upstreamDurationMs === undefined ? undefined : round(upstreamDurationMs),
    clientIp,
    zone: context.zone,
    service: 'gateway',
    method: request.method,
    path: context.path,
    apiVersion: context.apiVersion,
    apiDomain: context.apiDomain,
    providerId: route?.provider,
    apiId: route?.apiVersionId,
    routeTemplate: context.operation?.path,
    classification,
    environment: context.environment,
    consumerId: context.consumerId,
    clientId: context.clientId,
    status: reply.statusCode,
    errorCode: context.errorCode,
    bytesIn: context.bytesIn,
    bytesOut: context.bytesOut ?? Number(reply.getHeader('content-length') ?? 0),
    // An outage event raised meanwhile waits for a record without an event of its own.
    securityEvent: securityEventOf(context, classification) ?? alerts?.take(),
    throttle: context.throttle,
    signature: context.signature,
  };
  sink.record(record);
  if (accessLog === 'off' || (accessLog === 'errors' && reply.statusCode < 400)) return record;
  request.log.info(
    {
      event: { action: 'transaction', duration: Math.round(reply.elapsedTime * 1e6), outcome: reply.statusCode < 400 ? 'success' : 'failure' },
      http: { request: { method: request.method }, response: { status_code: reply.statusCode } },
      url: { path: context.path },
      client: { ip: clientIp },
      error: context.errorCode === undefined ? undefined : { code: context.errorCode },
      lgsp: { api: context.apiDomain, version: context.apiVersion },
    },
    'transaction',
  );
  return record;
}

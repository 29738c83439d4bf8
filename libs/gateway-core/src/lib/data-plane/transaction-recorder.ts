import type { TransactionRecord } from '@lgsp/contracts';
import type { TransactionSink } from '@lgsp/ledger-client';
import type { FastifyReply, FastifyRequest } from 'fastify';

import type { GatewayContext } from '../chain/gateway-context.type';
import type { PendingSecurityEvents } from './pending-security-events';

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

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
): TransactionRecord {
  // The guard's answer (behind the trusted proxies); Fastify's, with the same proxies, for a request refused before the chain.
  const clientIp = context.clientIp ?? request.ip;
  const record: TransactionRecord = {
    transactionId: context.transactionId,
    requestId: context.requestId,
    traceId: context.traceId,
    receivedAt: new Date(context.receivedAt).toISOString(),
    durationMs: round(reply.elapsedTime),
    upstreamStartedAt: context.upstreamStartedAt === undefined ? undefined : new Date(context.upstreamStartedAt).toISOString(),
    upstreamDurationMs: context.upstreamDurationMs === undefined ? undefined : round(context.upstreamDurationMs),
    clientIp,
    method: request.method,
    path: context.path,
    apiVersion: context.apiVersion,
    apiDomain: context.apiDomain,
    environment: context.environment,
    consumerId: context.consumerId,
    clientId: context.clientId,
    status: reply.statusCode,
    errorCode: context.errorCode,
    bytesIn: context.bytesIn,
    bytesOut: context.bytesOut ?? Number(reply.getHeader('content-length') ?? 0),
    securityEvent: context.securityEvent ?? alerts?.take(),
    signature: context.signature,
  };
  sink.record(record);
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

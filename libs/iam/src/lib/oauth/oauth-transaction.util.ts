import type { SecurityEvent, TransactionRecord } from '@lgsp/contracts';
import { Header, OAuthErrorCode, isUuidV4 } from '@lgsp/contracts';
import type { TransactionSink } from '@lgsp/ledger-client';
import type { FastifyReply, FastifyRequest } from 'fastify';

import type { OAuthExchange } from './oauth-exchange.util';

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

/**
 * The brute-force guard's event (a burst, a lock-out) when it raised one, else each invalid_client
 * is one authentication-failure — a proven client of a suspended or terminated consumer system a
 * suspended-consumer-attempt (SECURITY_EVENTS' order: the most severe that applies).
 */
function securityEventOf(exchange: OAuthExchange): SecurityEvent | undefined {
  if (exchange.securityEvent !== undefined) return exchange.securityEvent;
  if (exchange.errorCode !== OAuthErrorCode.InvalidClient) return undefined;
  return exchange.reason === 'consumer-inactive' ? 'suspended-consumer-attempt' : 'authentication-failure';
}

/**
 * One ledger record and one log line per request to the token, revocation or introspection
 * endpoint. Built from the exchange and the request line only: the body, the Authorization header
 * and the query string are never read here, so no secret, assertion or token can reach either.
 */
export function recordOAuthTransaction(sink: TransactionSink, request: FastifyRequest, reply: FastifyReply, exchange: OAuthExchange): TransactionRecord {
  const url = request.raw.url ?? '/';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const requestIdHeader = request.headers[Header.requestId];
  const length = request.headers['content-length'];
  const securityEvent = securityEventOf(exchange);
  const record: TransactionRecord = {
    transactionId: String(request.id),
    ...(typeof requestIdHeader === 'string' && isUuidV4(requestIdHeader) ? { requestId: requestIdHeader } : {}),
    receivedAt: exchange.receivedAt.toISOString(),
    durationMs: round(reply.elapsedTime),
    clientIp: request.ip,
    service: 'iam',
    method: request.method,
    path,
    ...(exchange.environment === undefined ? {} : { environment: exchange.environment }),
    ...(exchange.consumerId === undefined ? {} : { consumerId: exchange.consumerId }),
    ...(exchange.clientId === undefined ? {} : { clientId: exchange.clientId }),
    status: reply.statusCode,
    ...(exchange.errorCode === undefined ? {} : { errorCode: exchange.errorCode }),
    bytesIn: length === undefined ? 0 : Number(length) || 0,
    bytesOut: Number(reply.getHeader('content-length') ?? 0) || 0,
    ...(securityEvent === undefined ? {} : { securityEvent }),
  };
  sink.record(record);
  const fields = {
    event: {
      action: `oauth-${exchange.endpoint}`,
      duration: Math.round(reply.elapsedTime * 1e6),
      outcome: reply.statusCode < 400 ? 'success' : 'failure',
      ...(exchange.securityEvent === undefined ? {} : { kind: 'alert', category: ['authentication'], type: [exchange.securityEvent] }),
    },
    http: { request: { method: request.method }, response: { status_code: reply.statusCode } },
    url: { path },
    client: { ip: request.ip },
    error: exchange.errorCode === undefined ? undefined : { code: exchange.errorCode },
    lgsp: { clientId: exchange.clientId, consumerId: exchange.consumerId, reason: exchange.reason, securityEvent },
  };
  // A warning for the guard's bursts and lock-outs; one failed attempt is the ledger's to flag, not the log's to shout.
  if (exchange.securityEvent !== undefined) request.log.warn(fields, `oauth ${exchange.endpoint}: ${exchange.securityEvent}`);
  else request.log.info(fields, `oauth ${exchange.endpoint}`);
  return record;
}

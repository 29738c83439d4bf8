import type { TransactionRecord } from '@lgsp/contracts';
import { Header, isUuidV4 } from '@lgsp/contracts';
import type { TransactionSink } from '@lgsp/ledger-client';
import type { FastifyReply, FastifyRequest } from 'fastify';

import type { OAuthExchange } from './oauth-exchange.util';

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

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
  const record: TransactionRecord = {
    transactionId: String(request.id),
    ...(typeof requestIdHeader === 'string' && isUuidV4(requestIdHeader) ? { requestId: requestIdHeader } : {}),
    receivedAt: exchange.receivedAt.toISOString(),
    durationMs: round(reply.elapsedTime),
    clientIp: request.ip,
    method: request.method,
    path,
    ...(exchange.environment === undefined ? {} : { environment: exchange.environment }),
    ...(exchange.consumerId === undefined ? {} : { consumerId: exchange.consumerId }),
    ...(exchange.clientId === undefined ? {} : { clientId: exchange.clientId }),
    status: reply.statusCode,
    ...(exchange.errorCode === undefined ? {} : { errorCode: exchange.errorCode }),
    bytesIn: length === undefined ? 0 : Number(length) || 0,
    bytesOut: Number(reply.getHeader('content-length') ?? 0) || 0,
    ...(exchange.securityEvent === undefined ? {} : { securityEvent: exchange.securityEvent }),
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
    lgsp: { clientId: exchange.clientId, consumerId: exchange.consumerId, reason: exchange.reason, securityEvent: exchange.securityEvent },
  };
  if (exchange.securityEvent !== undefined) request.log.warn(fields, `oauth ${exchange.endpoint}: ${exchange.securityEvent}`);
  else request.log.info(fields, `oauth ${exchange.endpoint}`);
  return record;
}

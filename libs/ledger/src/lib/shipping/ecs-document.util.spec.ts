import type { TransactionRecord } from '@lgsp/contracts';
import { ErrorCode } from '@lgsp/contracts';

import { ECS_VERSION, ecsDocumentOf } from './ecs-document.util';
import { TRANSACTION_MAPPINGS } from './ecs-mappings.constant';
import { EMPTY_CHAIN, chainDocument } from '../chain/hash-chain.util';

const full: TransactionRecord = {
  transactionId: '0190f5d2-1c4e-7a3b-8f00-000000000001',
  requestId: '3b241101-e2bb-4255-8caf-4136c566a962',
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  receivedAt: '2025-01-02T03:04:05.678Z',
  durationMs: 12.345678,
  upstreamStartedAt: '2025-01-02T03:04:05.680Z',
  upstreamDurationMs: 9.5,
  clientIp: '203.0.113.7',
  method: 'GET',
  path: '/v1/directory/organisations/42',
  apiVersion: 'v1',
  apiDomain: 'directory',
  environment: 'production',
  consumerId: 'consumer-1',
  clientId: 'client-1',
  status: 429,
  errorCode: ErrorCode.RateLimited,
  bytesIn: 0,
  bytesOut: 321,
  securityEvent: 'authentication-failure-burst',
};

function leafPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([key, child]) => leafPaths(child, prefix === '' ? key : `${prefix}.${key}`));
}

function mappedPaths(properties: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(properties).flatMap(([key, mapping]) => {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    const nested = (mapping as { properties?: Record<string, unknown> }).properties;
    return nested === undefined ? [path] : mappedPaths(nested, path);
  });
}

describe('ecsDocumentOf', () => {
  it('maps every field of a full record to its ECS name', () => {
    expect(ecsDocumentOf(full)).toEqual({
      '@timestamp': '2025-01-02T03:04:05.678Z',
      ecs: { version: ECS_VERSION },
      event: {
        id: full.transactionId,
        kind: 'alert',
        category: ['web'],
        type: ['access', 'denied'],
        outcome: 'failure',
        duration: 12_345_678,
        dataset: 'lgsp.transactions',
      },
      transaction: { id: full.transactionId },
      trace: { id: '4bf92f3577b34da6a3ce929d0e0e4736' },
      client: { ip: '203.0.113.7', address: '203.0.113.7' },
      http: {
        request: { id: '3b241101-e2bb-4255-8caf-4136c566a962', method: 'GET', bytes: 0 },
        response: { status_code: 429, bytes: 321 },
      },
      url: { path: '/v1/directory/organisations/42' },
      error: { code: ErrorCode.RateLimited },
      lgsp: {
        consumer: { id: 'consumer-1' },
        client: { id: 'client-1' },
        api: { domain: 'directory', version: 'v1' },
        environment: 'production',
        upstream: { started_at: '2025-01-02T03:04:05.680Z', duration: 9_500_000 },
        security_event: 'authentication-failure-burst',
      },
    });
  });

  it('leaves absent fields out and calls a plain success an event', () => {
    const minimal: TransactionRecord = {
      transactionId: '0190f5d2-1c4e-7a3b-8f00-000000000002',
      receivedAt: '2025-01-02T03:04:05.000Z',
      durationMs: 1.5,
      clientIp: '::1',
      method: 'POST',
      path: '/oauth/token',
      status: 200,
      bytesIn: 10,
      bytesOut: 20,
    };
    expect(ecsDocumentOf(minimal)).toEqual({
      '@timestamp': '2025-01-02T03:04:05.000Z',
      ecs: { version: ECS_VERSION },
      event: { id: minimal.transactionId, kind: 'event', category: ['web'], type: ['access'], outcome: 'success', duration: 1_500_000, dataset: 'lgsp.transactions' },
      transaction: { id: minimal.transactionId },
      client: { ip: '::1', address: '::1' },
      http: { request: { method: 'POST', bytes: 10 }, response: { status_code: 200, bytes: 20 } },
      url: { path: '/oauth/token' },
      lgsp: {},
    });
  });

  it('copies nothing it does not name: smuggled secrets never reach the document', () => {
    const smuggled = {
      ...full,
      authorization: 'Bearer CANARY-TOKEN-7f3a',
      body: '{"password":"CANARY-PASSWORD-91c2"}',
      headers: { authorization: 'Bearer CANARY-TOKEN-7f3a' },
      clientSecret: 'CANARY-SECRET-55d0',
    } as TransactionRecord;
    const text = JSON.stringify(ecsDocumentOf(smuggled));
    expect(text).not.toContain('CANARY');
  });

  it('emits only mapped fields, so the strict template accepts every document', () => {
    const mapped = new Set(mappedPaths(TRANSACTION_MAPPINGS.properties as Record<string, unknown>));
    const emitted = leafPaths(chainDocument(ecsDocumentOf(full), 'gateway-1', EMPTY_CHAIN).document);
    expect(emitted.filter((path) => !mapped.has(path))).toEqual([]);
    // And nothing mapped is dead weight: a full record, chained, fills every mapped field.
    expect([...mapped].filter((path) => !emitted.includes(path))).toEqual([]);
    expect(TRANSACTION_MAPPINGS.dynamic).toBe('strict');
  });
});

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
  upstreamEndedAt: '2025-01-02T03:04:05.690Z',
  upstreamDurationMs: 9.5,
  clientIp: '203.0.113.7',
  zone: 'party-wan',
  service: 'gateway',
  method: 'GET',
  path: '/v1/directory/organisations/42',
  apiVersion: 'v1',
  apiDomain: 'directory',
  providerId: 'bo-noi-vu',
  apiId: '0190f5d2-1c4e-7a3b-8f00-0000000000aa',
  routeTemplate: '/organisations/{id}',
  classification: 'mat',
  environment: 'production',
  consumerId: 'consumer-1',
  clientId: 'client-1',
  status: 429,
  errorCode: ErrorCode.RateLimited,
  bytesIn: 0,
  bytesOut: 321,
  securityEvent: 'authentication-failure-burst',
  throttle: { limit: 'read', quota: 600, remaining: 0, admitted: false, local: true },
  signature: {
    keyid: 'cert-1',
    label: 'sig1',
    signatureInput: 'sig1=("@method" "@target-uri" "content-digest");created=1735787045;keyid="cert-1"',
    signature: 'c2lnbmF0dXJl',
    digests: { 'sha-256': 'X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=', 'sha-512': 'WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==' },
    created: 1735787045,
    alg: 'ecdsa-p256-sha256',
    certificateFingerprint: 'ab'.repeat(32),
    verified: false,
  },
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
      service: { name: 'gateway' },
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
        api: { id: '0190f5d2-1c4e-7a3b-8f00-0000000000aa', domain: 'directory', version: 'v1' },
        provider: { id: 'bo-noi-vu' },
        route: { template: '/organisations/{id}' },
        classification: 'mat',
        zone: 'party-wan',
        environment: 'production',
        upstream: { started_at: '2025-01-02T03:04:05.680Z', ended_at: '2025-01-02T03:04:05.690Z', duration: 9_500_000 },
        throttle: { limit: 'read', quota: 600, remaining: 0, admitted: false, local: true },
        signature: {
          keyid: 'cert-1',
          label: 'sig1',
          input: 'sig1=("@method" "@target-uri" "content-digest");created=1735787045;keyid="cert-1"',
          value: 'c2lnbmF0dXJl',
          digests: { 'sha-256': 'X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=', 'sha-512': 'WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==' },
          created: '2025-01-02T03:04:05.000Z',
          alg: 'ecdsa-p256-sha256',
          certificate_fingerprint: 'ab'.repeat(32),
          verified: false,
        },
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

  it('keeps a refused signature that could not be parsed as its bare outcome, and only the digests it names', () => {
    const refused = ecsDocumentOf({ ...full, signature: { verified: false, digests: { 'sha-256': 'a2V5', md5: 'CANARY-MD5' } } });
    expect(refused.lgsp.signature).toEqual({ verified: false, digests: { 'sha-256': 'a2V5' } });
    expect(ecsDocumentOf({ ...full, throttle: { limit: 'write', quota: 60, remaining: 59, admitted: true } }).lgsp.throttle).toEqual({
      limit: 'write',
      quota: 60,
      remaining: 59,
      admitted: true,
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

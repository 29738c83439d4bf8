import { generateKeyPairSync, randomUUID } from 'node:crypto';

import type { TransactionRecord } from '@lgsp/contracts';
import { SegmentFileSink } from '@lgsp/ledger-client';
import { platformSigningKeyOf } from '@lgsp/signature';
import type { PlatformSigningKey } from '@lgsp/signature';

let counter = 0;

/** A well-formed record with a UUID transaction id (the SQL store's primary key). */
export function nextRecord(overrides: Partial<TransactionRecord> = {}): TransactionRecord {
  counter += 1;
  return {
    transactionId: randomUUID(),
    requestId: `3b241101-e2bb-4255-8caf-${String(counter).padStart(12, '0')}`,
    receivedAt: new Date(Date.UTC(2025, 0, 1) + counter * 1_000).toISOString(),
    durationMs: 3,
    clientIp: '10.0.0.2',
    method: 'GET',
    path: '/v1/directory/organisations',
    status: 200,
    bytesIn: 0,
    bytesOut: 42,
    consumerId: 'org-consumer',
    apiDomain: 'directory',
    apiVersion: 'v1',
    ...overrides,
  };
}

/** One gateway process: a real sink that writes the records (flushed every `flushEvery`), then closes. */
export async function writeRecords(dir: string, records: readonly TransactionRecord[], options: { segmentBytes?: number; flushEvery?: number } = {}): Promise<TransactionRecord[]> {
  const sink = await SegmentFileSink.open({ dir, flushIntervalMs: 60_000, segmentBytes: options.segmentBytes ?? 1 << 20 });
  for (const [index, record] of records.entries()) {
    sink.record(record);
    if (options.flushEvery !== undefined && index % options.flushEvery === options.flushEvery - 1) await sink.flush();
  }
  await sink.close();
  return [...records];
}

export function records(count: number): TransactionRecord[] {
  return Array.from({ length: count }, () => nextRecord());
}

export function ids(list: readonly { transactionId: string }[]): string[] {
  return list.map((r) => r.transactionId);
}

/** A platform signing key as `loadPlatformSigningKey` gives it, EC P-256 or RSA. */
export async function testSigningKey(kind: 'ec' | 'rsa' = 'ec'): Promise<PlatformSigningKey> {
  const { privateKey } = kind === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return platformSigningKeyOf(privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, 'test-key.pem', false);
}

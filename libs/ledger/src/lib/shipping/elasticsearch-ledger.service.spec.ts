import type { TransactionRecord } from '@lgsp/contracts';

import { FakeElasticsearch, responseError } from '../../../test/fake-elasticsearch.util';
import { ecsDocumentOf } from './ecs-document.util';
import { TRANSACTION_MAPPINGS } from './ecs-mappings.constant';
import { ElasticsearchLedger } from './elasticsearch-ledger.service';
import { LedgerShippingError, LedgerShippingErrorCode } from './ledger-shipping.error';

function recordOf(n: number): TransactionRecord {
  return {
    transactionId: `0190f5d2-0000-7000-8000-${String(n).padStart(12, '0')}`,
    requestId: `3b241101-e2bb-4255-8caf-${String(n).padStart(12, '0')}`,
    receivedAt: new Date(1_735_689_600_000 + n).toISOString(),
    durationMs: 2,
    clientIp: '10.0.0.1',
    method: 'GET',
    path: '/v1/directory/organisations',
    status: 200,
    bytesIn: 0,
    bytesOut: 10,
  };
}

function bulkBodyOf(records: TransactionRecord[], index = 'lgsp-transactions'): object[] {
  return records.flatMap((record) => [{ create: { _index: index, _id: record.transactionId } }, JSON.parse(JSON.stringify(ecsDocumentOf(record)))]);
}

describe('ElasticsearchLedger', () => {
  let es: FakeElasticsearch;
  let sleeps: number[];
  let ledger: ElasticsearchLedger;

  beforeEach(() => {
    es = new FakeElasticsearch();
    sleeps = [];
    ledger = new ElasticsearchLedger(es.client(), { sleep: async (ms) => void sleeps.push(ms), backoff: { initialMs: 100, maxMs: 1_000 } });
  });

  describe('ensureSetup', () => {
    it('creates the ILM policy and the index template when the GETs answer 404', async () => {
      await ledger.ensureSetup();
      expect(es.requests).toEqual([
        { method: 'GET', path: '/_ilm/policy/lgsp-transactions-policy', querystring: {}, body: null },
        {
          method: 'PUT',
          path: '/_ilm/policy/lgsp-transactions-policy',
          querystring: {},
          body: {
            policy: {
              _meta: { managed_by: 'lgsp-ledger' },
              phases: {
                hot: { min_age: '0ms', actions: { rollover: { max_age: '30d', max_primary_shard_size: '50gb' } } },
                delete: { min_age: '365d', actions: { delete: {} } },
              },
            },
          },
        },
        { method: 'GET', path: '/_index_template/lgsp-transactions', querystring: {}, body: null },
        {
          method: 'PUT',
          path: '/_index_template/lgsp-transactions',
          querystring: { create: 'true' },
          body: {
            index_patterns: ['lgsp-transactions'],
            data_stream: {},
            priority: 200,
            version: 1,
            _meta: { managed_by: 'lgsp-ledger', description: 'LGSP transaction ledger' },
            template: {
              settings: { 'index.lifecycle.name': 'lgsp-transactions-policy' },
              mappings: JSON.parse(JSON.stringify(TRANSACTION_MAPPINGS)),
            },
          },
        },
      ]);
    });

    it('creates nothing when both are present', async () => {
      es.ilmPresent = true;
      es.templatePresent = true;
      await ledger.ensureSetup();
      expect(es.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /_ilm/policy/lgsp-transactions-policy', 'GET /_index_template/lgsp-transactions']);
    });

    it('takes the data stream name, policy name, retention and rollover from its options', async () => {
      const custom = new ElasticsearchLedger(es.client(), { dataStream: 'soc-ledger', ilmPolicy: 'soc-retention', retentionDays: 30, rollover: { maxAge: '1d', maxPrimaryShardSize: '10gb' } });
      await custom.ensureSetup();
      const [, ilm, , template] = es.requests;
      expect(ilm.path).toBe('/_ilm/policy/soc-retention');
      expect(ilm.body).toEqual({ policy: expect.objectContaining({ phases: { hot: { min_age: '0ms', actions: { rollover: { max_age: '1d', max_primary_shard_size: '10gb' } } }, delete: { min_age: '30d', actions: { delete: {} } } } }) });
      expect(template.path).toBe('/_index_template/soc-ledger');
      expect(template.body).toMatchObject({ index_patterns: ['soc-ledger'], template: { settings: { 'index.lifecycle.name': 'soc-retention' } } });
    });

    it('refuses a retention that is not a whole number of days', () => {
      expect(() => new ElasticsearchLedger(es.client(), { retentionDays: 0 })).toThrow(RangeError);
      expect(() => new ElasticsearchLedger(es.client(), { retentionDays: 1.5 })).toThrow(RangeError);
    });

    it('fails with SetupFailed when Elasticsearch is unreachable', async () => {
      es.mock.clear({ method: 'GET', path: '/_ilm/policy/:name' });
      es.mock.add({ method: 'GET', path: '/_ilm/policy/:name' }, () => responseError(503));
      await expect(ledger.ensureSetup()).rejects.toMatchObject({ code: LedgerShippingErrorCode.SetupFailed });
    });
  });

  describe('ship', () => {
    const records = [recordOf(1), recordOf(2), recordOf(3)];

    it('bulk-creates the ECS documents in order, keyed by transaction id', async () => {
      expect(await ledger.ship(records)).toEqual({ created: 3, conflicts: 0, rejected: [], requests: 1 });
      expect(es.requests).toEqual([{ method: 'POST', path: '/_bulk', querystring: {}, body: bulkBodyOf(records) }]);
      expect(es.bulkRequests[0][0]).toEqual({ create: { _index: 'lgsp-transactions', _id: '0190f5d2-0000-7000-8000-000000000001' } });
    });

    it.each([429, 503, 502])('retries the whole request after a %i with growing backoff', async (status) => {
      es.outages.push({ status }, { status });
      expect(await ledger.ship(records)).toEqual({ created: 3, conflicts: 0, rejected: [], requests: 3 });
      expect(es.bulkRequests).toEqual([bulkBodyOf(records), bulkBodyOf(records), bulkBodyOf(records)]);
      expect(sleeps).toHaveLength(2);
      expect(sleeps[0]).toBeGreaterThanOrEqual(50);
      expect(sleeps[0]).toBeLessThanOrEqual(100);
      expect(sleeps[1]).toBeGreaterThanOrEqual(100);
      expect(sleeps[1]).toBeLessThanOrEqual(200);
    });

    it('retries after a connection error', async () => {
      es.outages.push({ connectionError: true });
      expect(await ledger.ship(records)).toMatchObject({ created: 3, requests: 2 });
    });

    it('re-sends only the items that failed with 429 or 5xx', async () => {
      es.itemStatuses.set(recordOf(2).transactionId, [429, 503]);
      es.itemStatuses.set(recordOf(3).transactionId, [500]);
      expect(await ledger.ship(records)).toEqual({ created: 3, conflicts: 0, rejected: [], requests: 3 });
      expect(es.bulkRequests).toEqual([bulkBodyOf(records), bulkBodyOf([recordOf(2), recordOf(3)]), bulkBodyOf([recordOf(2)])]);
    });

    it('counts a 409 as delivered and does not re-send it', async () => {
      await ledger.ship([recordOf(2)]);
      expect(await ledger.ship(records)).toEqual({ created: 2, conflicts: 1, rejected: [], requests: 1 });
      expect(es.bulkRequests).toHaveLength(2);
    });

    it('reports a 400 item as rejected while the others are created', async () => {
      es.itemStatuses.set(recordOf(2).transactionId, [400]);
      es.itemStatuses.set(recordOf(3).transactionId, [503]);
      const result = await ledger.ship(records);
      expect(result).toEqual({
        created: 2,
        conflicts: 0,
        rejected: [{ record: recordOf(2), status: 400, errorType: 'document_parsing_exception', reason: 'scripted 400' }],
        requests: 2,
      });
      expect(es.bulkRequests[1]).toEqual(bulkBodyOf([recordOf(3)]));
      expect(es.documents.has(recordOf(2).transactionId)).toBe(false);
    });

    it('gives up after the last attempt with Unavailable, the caller keeping the batch', async () => {
      const few = new ElasticsearchLedger(es.client(), { maxAttempts: 3, sleep: async () => undefined });
      es.down = { status: 503 };
      const error = await few.ship(records).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LedgerShippingError);
      expect((error as LedgerShippingError).code).toBe(LedgerShippingErrorCode.Unavailable);
      expect(es.bulkRequests).toHaveLength(3);
    });

    it('does not retry a request refused with a 4xx other than 429', async () => {
      es.outages.push({ status: 401 });
      await expect(ledger.ship(records)).rejects.toMatchObject({ code: LedgerShippingErrorCode.RequestRefused });
      expect(es.bulkRequests).toHaveLength(1);
    });

    it('builds the real client from a URL (production path)', async () => {
      const fromUrl = ElasticsearchLedger.fromUrl('http://localhost:9200', {}, { Connection: es.mock.getConnection() });
      expect(await fromUrl.ship([recordOf(9)])).toMatchObject({ created: 1 });
      // (The mock connection cannot be closed; a real one is closed by `close()`.)
    });
  });
});

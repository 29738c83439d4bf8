import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { TransactionRecord } from '@lgsp/contracts';
import type { Logger } from '@lgsp/observability';

import type { ConnectionOptions } from '@elastic/elasticsearch';

import { FakeElasticsearchStore, responseError } from '../../../test/fake-elasticsearch-store.util';
import type { ChainedDocument, ChainState } from '../chain/hash-chain.util';
import { chainDocument, EMPTY_CHAIN } from '../chain/hash-chain.util';
import { ecsDocumentOf } from '../shipping/ecs-document.util';
import { TRANSACTION_MAPPINGS } from '../shipping/ecs-mappings.constant';
import { elasticsearchClientOf, ElasticsearchLedgerStore, SIGNED_HEAD_MAPPINGS, TRANSACTION_TEMPLATE_VERSION } from './elasticsearch-ledger.store';
import { InvalidLedgerCursorError } from './ledger-cursor.util';
import { LedgerStoreError, LedgerStoreErrorCode } from './ledger-store.error';
import type { RequestStatus, SignedHead } from './ledger-store.type';

const DS = 'lgsp-transactions';
const T0 = Date.parse('2026-11-20T00:00:00.000Z');

function txId(n: number): string {
  return `0190f5d2-0000-7000-8000-${String(n).padStart(12, '0')}`;
}

function recordOf(n: number, extra: Partial<TransactionRecord> = {}): TransactionRecord {
  return {
    transactionId: txId(n),
    requestId: `3b241101-e2bb-4255-8caf-${String(n).padStart(12, '0')}`,
    receivedAt: new Date(T0 + n * 1000).toISOString(),
    durationMs: 2,
    clientIp: '10.0.0.1',
    method: 'GET',
    path: '/v1/directory/organisations',
    status: 200,
    bytesIn: 0,
    bytesOut: 10,
    consumerId: 'c1',
    providerId: 'p1',
    apiDomain: 'directory',
    apiVersion: 'v1',
    ...extra,
  };
}

/** Documents 1..count chained in one partition, in order. */
function chainOf(count: number, partition = 'gw-1', first = 1, extra: (n: number) => Partial<TransactionRecord> = () => ({})): ChainedDocument[] {
  let state: ChainState = EMPTY_CHAIN;
  const documents: ChainedDocument[] = [];
  for (let n = first; n < first + count; n++) {
    const next = chainDocument(ecsDocumentOf(recordOf(n, extra(n))), partition, state);
    documents.push(next.document);
    state = next.state;
  }
  return documents;
}

function json<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function bulkBodyOf(documents: readonly ChainedDocument[], index = DS): object[] {
  return documents.flatMap((document) => [{ create: { _index: index, _id: document.transaction.id } }, json(document)]);
}

function idsQueryOf(documents: readonly ChainedDocument[]): object {
  return { method: 'POST', path: `/${DS}/_search`, querystring: {}, body: { size: documents.length, _source: false, query: { ids: { values: documents.map((d) => d.transaction.id) } } } };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('ElasticsearchLedgerStore', () => {
  let es: FakeElasticsearchStore;
  let sleeps: number[];
  let store: ElasticsearchLedgerStore;
  const newStore = (options: ConstructorParameters<typeof ElasticsearchLedgerStore>[1] = {}) =>
    new ElasticsearchLedgerStore(es.client(), { sleep: async (ms) => void sleeps.push(ms), backoff: { initialMs: 100, maxMs: 1_000 }, ...options });

  beforeEach(() => {
    es = new FakeElasticsearchStore();
    sleeps = [];
    store = newStore();
  });

  describe('ensureReady', () => {
    it('creates the ILM policy, the index template, the data stream and the heads index on first start', async () => {
      await store.ensureReady();
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
            version: TRANSACTION_TEMPLATE_VERSION,
            _meta: { managed_by: 'lgsp-ledger', description: 'LGSP transaction ledger' },
            template: { settings: { 'index.lifecycle.name': 'lgsp-transactions-policy' }, mappings: json(TRANSACTION_MAPPINGS) },
          },
        },
        { method: 'GET', path: '/_data_stream/lgsp-transactions', querystring: {}, body: null },
        { method: 'PUT', path: '/_data_stream/lgsp-transactions', querystring: {}, body: null },
        { method: 'HEAD', path: '/lgsp-transactions-heads', querystring: {}, body: null },
        {
          method: 'PUT',
          path: '/lgsp-transactions-heads',
          querystring: {},
          body: {
            settings: { number_of_shards: 1 },
            mappings: {
              dynamic: 'strict',
              properties: {
                partition: { type: 'keyword' },
                seq: { type: 'long' },
                hash: { type: 'keyword' },
                signedAt: { type: 'date' },
                jws: { type: 'keyword', index: false, doc_values: false },
              },
            },
          },
        },
      ]);
      expect(json(SIGNED_HEAD_MAPPINGS)).toEqual((es.requests[7].body as { mappings: object }).mappings);
    });

    it('creates nothing when everything is present', async () => {
      await store.ensureReady();
      es.requests.length = 0;
      await newStore().ensureReady();
      expect(es.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
        'GET /_ilm/policy/lgsp-transactions-policy',
        'GET /_index_template/lgsp-transactions',
        'GET /_data_stream/lgsp-transactions',
        'HEAD /lgsp-transactions-heads',
      ]);
    });

    it('reports an older template version and leaves it as is', async () => {
      es.templateVersion = 1;
      const warn = jest.fn();
      const logger = { warn, info: jest.fn() } as unknown as Logger;
      await newStore({ logger }).ensureReady();
      expect(warn).toHaveBeenCalledWith({ template: DS, found: 1, expected: TRANSACTION_TEMPLATE_VERSION }, 'ledger index template differs from this version: left as is');
      expect(es.requests.filter((r) => r.method === 'PUT' && r.path.startsWith('/_index_template'))).toEqual([]);
    });

    it('takes the names, retention and rollover from its options', async () => {
      await newStore({ dataStream: 'soc-ledger', ilmPolicy: 'soc-retention', retentionDays: 30, rollover: { maxAge: '1d', maxPrimaryShardSize: '10gb' } }).ensureReady();
      expect(es.requests.filter((r) => r.method === 'PUT').map((r) => r.path)).toEqual(['/_ilm/policy/soc-retention', '/_index_template/soc-ledger', '/_data_stream/soc-ledger', '/soc-ledger-heads']);
      expect(es.requests[1].body).toEqual({
        policy: { _meta: { managed_by: 'lgsp-ledger' }, phases: { hot: { min_age: '0ms', actions: { rollover: { max_age: '1d', max_primary_shard_size: '10gb' } } }, delete: { min_age: '30d', actions: { delete: {} } } } },
      });
      expect(es.requests[3].body).toMatchObject({ index_patterns: ['soc-ledger'], template: { settings: { 'index.lifecycle.name': 'soc-retention' } } });
    });

    it('accepts a data stream another replica created between its GET and PUT', async () => {
      es.mock.clear({ method: 'PUT', path: '/_data_stream/:name' });
      es.mock.add({ method: 'PUT', path: '/_data_stream/:name' }, () => responseError(400, { error: { type: 'resource_already_exists_exception', reason: 'data_stream [lgsp-transactions] already exists' }, status: 400 }));
      await expect(store.ensureReady()).resolves.toBeUndefined();
    });

    it('refuses a retention that is not a whole number of days', () => {
      expect(() => newStore({ retentionDays: 0 })).toThrow(RangeError);
      expect(() => newStore({ retentionDays: 1.5 })).toThrow(RangeError);
    });

    it('fails with a retryable SetupFailed while Elasticsearch answers 503, after retrying', async () => {
      es.down = { status: 503 };
      const error = await newStore({ maxAttempts: 3 }).ensureReady().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LedgerStoreError);
      expect(error).toMatchObject({ code: LedgerStoreErrorCode.SetupFailed, retryable: true });
      expect(es.requests).toHaveLength(3);
    });
  });

  describe('append', () => {
    beforeEach(async () => {
      await store.ensureReady();
      es.requests.length = 0;
    });

    it('first asks which ids exist (a restart may re-send), then bulk-creates keyed by transaction id; later batches skip the question', async () => {
      const [a, b, c, d] = chainOf(4);
      expect(await store.append([a, b, c])).toEqual({ created: 3, duplicates: 0, rejected: [] });
      expect(await store.append([d])).toEqual({ created: 1, duplicates: 0, rejected: [] });
      expect(es.requests).toEqual([
        idsQueryOf([a, b, c]),
        { method: 'POST', path: '/_bulk', querystring: {}, body: bulkBodyOf([a, b, c]) },
        { method: 'POST', path: '/_bulk', querystring: {}, body: bulkBodyOf([d]) },
      ]);
      expect(es.bulkRequests[0][0]).toEqual({ create: { _index: DS, _id: txId(1) } });
    });

    it('counts a 409 as a duplicate and does not re-send it', async () => {
      const docs = chainOf(3);
      await store.append([docs[1]]);
      expect(await store.append(docs)).toEqual({ created: 2, duplicates: 1, rejected: [] });
      expect(es.bulkRequests).toEqual([bulkBodyOf([docs[1]]), bulkBodyOf(docs)]);
      expect(es.stored(DS)).toHaveLength(3);
    });

    it('re-sends only the items that failed with 429 or 503, with growing backoff', async () => {
      const docs = chainOf(3);
      es.itemStatuses.set(txId(2), [429, 503]);
      es.itemStatuses.set(txId(3), [503]);
      expect(await store.append(docs)).toEqual({ created: 3, duplicates: 0, rejected: [] });
      expect(es.bulkRequests).toEqual([bulkBodyOf(docs), bulkBodyOf([docs[1], docs[2]]), bulkBodyOf([docs[1]])]);
      expect(sleeps).toHaveLength(2);
      expect(sleeps[0]).toBeGreaterThanOrEqual(50);
      expect(sleeps[0]).toBeLessThanOrEqual(100);
      expect(sleeps[1]).toBeGreaterThanOrEqual(100);
      expect(sleeps[1]).toBeLessThanOrEqual(200);
    });

    it.each([[{ status: 502 }], [{ connectionError: true as const }]])('retries the whole request after %j with backoff', async (outage) => {
      const docs = chainOf(2);
      es.outages.push(outage, outage);
      expect(await store.append(docs)).toEqual({ created: 2, duplicates: 0, rejected: [] });
      expect(es.bulkRequests).toEqual([bulkBodyOf(docs), bulkBodyOf(docs), bulkBodyOf(docs)]);
      expect(sleeps).toHaveLength(2);
    });

    it.each([[{ status: 502 }], [{ connectionError: true as const }]])('throws a retryable Unavailable when %j lasts past the last attempt', async (outage) => {
      const few = newStore({ maxAttempts: 3 });
      await few.append(chainOf(1, 'gw-0'));
      es.requests.length = 0;
      for (let i = 0; i < 3; i++) es.outages.push(outage);
      const error = await few.append(chainOf(2)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LedgerStoreError);
      expect(error).toMatchObject({ code: LedgerStoreErrorCode.Unavailable, retryable: true });
      expect(es.bulkRequests).toHaveLength(3);
      expect(sleeps).toHaveLength(2);
    });

    it('returns a 400 item as rejected while the others are created', async () => {
      const docs = chainOf(3);
      es.itemStatuses.set(txId(2), [400]);
      expect(await store.append(docs)).toEqual({ created: 2, duplicates: 0, rejected: [{ document: docs[1], status: 400, reason: 'document_parsing_exception: scripted 400' }] });
      expect(es.stored(DS).map((hit) => hit._id)).toEqual([txId(1), txId(3)]);
    });

    it('throws a non-retryable RequestRefused when the request itself is refused with a 4xx', async () => {
      es.outages.push({ status: 401 });
      const error = await store.append(chainOf(1)).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: LedgerStoreErrorCode.RequestRefused, retryable: false });
      expect(es.bulkRequests).toHaveLength(1);
    });

    it('after a restart across a rollover, skips exactly the ids stored in older backing indices', async () => {
      const docs = chainOf(5);
      await store.append(docs.slice(0, 3));
      es.rollover(DS);
      es.requests.length = 0;
      const restarted = newStore();
      expect(await restarted.append(docs)).toEqual({ created: 2, duplicates: 3, rejected: [] });
      expect(es.requests).toEqual([idsQueryOf(docs), { method: 'POST', path: '/_bulk', querystring: {}, body: bulkBodyOf(docs.slice(3)) }]);
      expect(es.stored(DS).map((hit) => hit._id)).toEqual(docs.map((d) => d.transaction.id));
    });

    it('after an append that failed part-way, asks again before re-sending; in steady state it does not', async () => {
      const few = newStore({ maxAttempts: 2 });
      await few.append(chainOf(1, 'gw-0'));
      const docs = chainOf(4);
      es.itemStatuses.set(txId(3), [503, 503]);
      es.itemStatuses.set(txId(4), [503, 503]);
      await expect(few.append(docs)).rejects.toMatchObject({ code: LedgerStoreErrorCode.Unavailable });
      es.rollover(DS);
      es.requests.length = 0;
      expect(await few.append(docs)).toEqual({ created: 2, duplicates: 2, rejected: [] });
      expect(es.requests).toEqual([idsQueryOf(docs), { method: 'POST', path: '/_bulk', querystring: {}, body: bulkBodyOf(docs.slice(2)) }]);

      // Steady state: no question, so a re-send across a rollover would not be caught — which is why it is asked after failures.
      es.rollover(DS);
      es.requests.length = 0;
      const more = chainOf(1, 'gw-2');
      await few.append(more);
      expect(es.requests.map((r) => r.path)).toEqual(['/_bulk']);
    });

    it('loses nothing and stores nothing twice while Elasticsearch is down for a while, across a rollover', async () => {
      const few = newStore({ maxAttempts: 2 });
      const batches = Array.from({ length: 10 }, (_, i) => chainOf(5, 'gw-1', i * 5 + 1));
      // Batch 3 is stored in part (its last two items answer 503 twice), then Elasticsearch goes down
      // for six calls, rolling over meanwhile; the pipeline keeps re-sending the batch it holds.
      es.itemStatuses.set(batches[3][3].transaction.id, [503, 503]);
      es.itemStatuses.set(batches[3][4].transaction.id, [503, 503]);
      let calls = 0;
      let failures = 0;
      let created = 0;
      let duplicates = 0;
      for (const batch of batches) {
        for (;;) {
          calls++;
          es.down = calls >= 5 && calls <= 10 ? { status: 503 } : undefined;
          if (calls === 7) es.rollover(DS);
          try {
            const result = await few.append(batch);
            created += result.created;
            duplicates += result.duplicates;
            break;
          } catch (error) {
            expect(error).toMatchObject({ code: LedgerStoreErrorCode.Unavailable, retryable: true });
            failures++;
          }
        }
      }
      expect({ calls, failures, created, duplicates }).toEqual({ calls: 17, failures: 7, created: 47, duplicates: 3 });
      const ids = es.stored(DS).map((hit) => hit._id);
      expect(ids).toHaveLength(50);
      expect(new Set(ids).size).toBe(50);
      expect(ids.sort()).toEqual(batches.flat().map((d) => d.transaction.id).sort());
    });
  });

  describe('appendHeads', () => {
    const head = (seq: number, partition = 'gw-1'): SignedHead => ({ partition, seq, hash: 'a'.repeat(64), signedAt: new Date(T0 + seq * 60_000).toISOString(), jws: `h.${seq}.s` });

    beforeEach(async () => {
      await store.ensureReady();
      es.requests.length = 0;
    });

    it('creates each head keyed by partition:seq, a second time being fine', async () => {
      await store.appendHeads([head(10), head(20)]);
      await store.appendHeads([head(20)]);
      expect(es.bulkRequests).toEqual([
        [{ create: { _index: 'lgsp-transactions-heads', _id: 'gw-1:10' } }, head(10), { create: { _index: 'lgsp-transactions-heads', _id: 'gw-1:20' } }, head(20)],
        [{ create: { _index: 'lgsp-transactions-heads', _id: 'gw-1:20' } }, head(20)],
      ]);
      expect(es.stored('lgsp-transactions-heads')).toHaveLength(2);
    });

    it('throws when a head is refused: heads are never dropped', async () => {
      es.itemStatuses.set('gw-1:10', [400]);
      await expect(store.appendHeads([head(10)])).rejects.toMatchObject({ code: LedgerStoreErrorCode.RequestRefused });
    });

    it('reads a partition’s heads in seq order', async () => {
      await store.appendHeads([head(30), head(10), head(5, 'gw-2'), head(20)]);
      es.requests.length = 0;
      expect(await store.heads('gw-1')).toEqual([head(10), head(20), head(30)]);
      expect(es.requests).toEqual([
        { method: 'POST', path: '/lgsp-transactions-heads/_search', querystring: {}, body: { size: 1000, query: { term: { partition: 'gw-1' } }, sort: [{ seq: 'asc' }] } },
      ]);
    });
  });

  describe('chain reader', () => {
    beforeEach(async () => {
      await store.ensureReady();
      es.requests.length = 0;
    });

    it('pages a partition in seq order with search_after, yielding a seq stored twice (across a rollover) twice', async () => {
      const docs = chainOf(2100, 'gw-1');
      es.seed(DS, docs.map((d) => ({ id: d.transaction.id, source: d })));
      es.seed(DS, chainOf(3, 'gw-2', 5000).map((d) => ({ id: d.transaction.id, source: d })));
      es.rollover(DS);
      es.seed(DS, [{ id: docs[1499].transaction.id, source: docs[1499] }]);

      const read = await collect(store.chain('gw-1', 2, 2100));
      expect(read.map((d) => d.lgsp.chain.seq)).toEqual([...Array.from({ length: 1499 }, (_, i) => i + 2), 1500, ...Array.from({ length: 600 }, (_, i) => i + 1501)]);
      expect(read.filter((d) => d.lgsp.chain.seq === 1500)).toEqual([json(docs[1499]), json(docs[1499])]);
      const query = { bool: { filter: [{ term: { 'lgsp.chain.partition': 'gw-1' } }, { range: { 'lgsp.chain.seq': { gte: 2, lte: 2100 } } }] } };
      const sort = [{ 'lgsp.chain.seq': 'asc' }, { _index: 'asc' }, { 'transaction.id': 'asc' }];
      expect(es.searchRequests.map((r) => r.body)).toEqual([
        { size: 1000, query, sort },
        { size: 1000, query, sort, search_after: [1001, '.ds-lgsp-transactions-2026.01.01-000001', txId(1001)] },
        { size: 1000, query, sort, search_after: [2000, '.ds-lgsp-transactions-2026.01.01-000001', txId(2000)] },
      ]);
    });

    it('lists the partitions with records or heads in the period, from composite aggregations paged to the end', async () => {
      es.onAggregation = (request) => {
        const index = request.path.split('/')[1];
        const after = ((request.body as { aggs: { groups: { composite: { after?: { partition: string } } } } }).aggs.groups.composite.after)?.partition;
        if (index === 'lgsp-transactions-heads') return { hits: { hits: [] }, aggregations: { groups: { buckets: [{ key: { partition: 'gw-9' }, doc_count: 1 }] } } };
        if (after === undefined) {
          const buckets = Array.from({ length: 1000 }, (_, i) => ({ key: { partition: `gw-${String(i).padStart(4, '0')}` }, doc_count: 1 }));
          return { hits: { hits: [] }, aggregations: { groups: { after_key: { partition: 'gw-0999' }, buckets } } };
        }
        return { hits: { hits: [] }, aggregations: { groups: { buckets: [{ key: { partition: 'gw-1' }, doc_count: 3 }] } } };
      };
      const from = new Date('2026-11-01T00:00:00Z');
      const to = new Date('2026-11-30T23:59:59.999Z');
      const partitions = await store.partitions(from, to);
      expect(partitions).toHaveLength(1002);
      expect(partitions.slice(0, 2)).toEqual(['gw-0000', 'gw-0001']);
      expect(partitions).toEqual(expect.arrayContaining(['gw-1', 'gw-9', 'gw-0999']));
      const range = (field: string) => ({ range: { [field]: { gte: '2026-11-01T00:00:00.000Z', lte: '2026-11-30T23:59:59.999Z' } } });
      expect(es.searchRequests.map((r) => [r.path, r.body])).toEqual([
        ['/lgsp-transactions/_search', { size: 0, query: range('@timestamp'), aggs: { groups: { composite: { size: 1000, sources: [{ partition: { terms: { field: 'lgsp.chain.partition' } } }] } } } }],
        ['/lgsp-transactions/_search', { size: 0, query: range('@timestamp'), aggs: { groups: { composite: { size: 1000, sources: [{ partition: { terms: { field: 'lgsp.chain.partition' } } }], after: { partition: 'gw-0999' } } } } }],
        ['/lgsp-transactions-heads/_search', { size: 0, query: range('signedAt'), aggs: { groups: { composite: { size: 1000, sources: [{ partition: { terms: { field: 'partition' } } }] } } } }],
      ]);
    });
  });

  describe('queries', () => {
    beforeEach(async () => {
      await store.ensureReady();
      es.requests.length = 0;
    });

    it('sends the exact search body for a full query', async () => {
      await store.search({
        from: new Date('2026-11-01T00:00:00Z'),
        to: new Date('2026-12-01T00:00:00Z'),
        scope: { consumerIds: ['c1', 'c2'], providerIds: ['p1'] },
        consumerId: 'c1',
        providerId: 'p1',
        apiDomain: 'directory',
        apiVersion: 'v1',
        status: 404,
        statusClass: 4,
        errorCode: 'LGSP_NOT_FOUND',
        clientIp: '10.0.0.1',
        requestId: 'r-1',
        transactionId: txId(1),
        securityEvent: 'signature_invalid',
        size: 50,
      });
      expect(es.searchRequests).toEqual([
        {
          method: 'POST',
          path: '/lgsp-transactions/_search',
          querystring: {},
          body: {
            size: 51,
            track_total_hits: true,
            query: {
              bool: {
                filter: [
                  { range: { '@timestamp': { gte: '2026-11-01T00:00:00.000Z', lt: '2026-12-01T00:00:00.000Z' } } },
                  { bool: { should: [{ terms: { 'lgsp.consumer.id': ['c1', 'c2'] } }, { terms: { 'lgsp.provider.id': ['p1'] } }], minimum_should_match: 1 } },
                  { term: { 'lgsp.consumer.id': 'c1' } },
                  { term: { 'lgsp.provider.id': 'p1' } },
                  { term: { 'lgsp.api.domain': 'directory' } },
                  { term: { 'lgsp.api.version': 'v1' } },
                  { term: { 'http.response.status_code': 404 } },
                  { range: { 'http.response.status_code': { gte: 400, lt: 500 } } },
                  { term: { 'error.code': 'LGSP_NOT_FOUND' } },
                  { term: { 'client.ip': '10.0.0.1' } },
                  { term: { 'http.request.id': 'r-1' } },
                  { term: { 'transaction.id': txId(1) } },
                  { term: { 'lgsp.security_event': 'signature_invalid' } },
                ],
              },
            },
            sort: [{ '@timestamp': 'desc' }, { 'transaction.id': 'desc' }],
          },
        },
      ]);
    });

    it('filters any security event with exists, and a scope of one list with terms', async () => {
      await store.search({ from: new Date(T0), to: new Date(T0 + 1), scope: { providerIds: ['p1'] }, securityEvent: true, size: 10 });
      expect((es.searchRequests[0].body as { query: unknown }).query).toEqual({
        bool: {
          filter: [
            { range: { '@timestamp': { gte: new Date(T0).toISOString(), lt: new Date(T0 + 1).toISOString() } } },
            { terms: { 'lgsp.provider.id': ['p1'] } },
            { exists: { field: 'lgsp.security_event' } },
          ],
        },
      });
    });

    it('pages newest first with an opaque cursor, counting every match', async () => {
      const mine = chainOf(5, 'gw-1', 1);
      const others = chainOf(2, 'gw-2', 100, () => ({ consumerId: 'c9', providerId: 'p9' }));
      es.seed(DS, [...mine, ...others].map((d) => ({ id: d.transaction.id, source: d })));
      const query = { from: new Date(T0), to: new Date(T0 + 3_600_000), scope: { consumerIds: ['c1'] }, size: 2 };
      const first = await store.search(query);
      expect(first).toMatchObject({ total: 5, items: [json(mine[4]), json(mine[3])] });
      expect(first.next).toMatch(/^[A-Za-z0-9_-]+$/);
      const second = await store.search({ ...query, cursor: first.next });
      expect(second).toMatchObject({ total: 5, items: [json(mine[2]), json(mine[1])] });
      const third = await store.search({ ...query, cursor: second.next });
      expect(third).toEqual({ total: 5, items: [json(mine[0])] });
      expect((es.searchRequests[1].body as { search_after: unknown }).search_after).toEqual([T0 + 4000, txId(4)]);
    });

    it('refuses a cursor it did not issue and a page size out of range', async () => {
      const base = { from: new Date(T0), to: new Date(T0 + 1), size: 10 };
      await expect(store.search({ ...base, cursor: 'bm90LWEtY3Vyc29y' })).rejects.toBeInstanceOf(InvalidLedgerCursorError);
      await expect(store.search({ ...base, size: 1001 })).rejects.toMatchObject({ code: LedgerStoreErrorCode.InvalidQuery });
      expect(es.searchRequests).toEqual([]);
    });

    it('builds a statement from a composite aggregation paged to the end, by Vietnam calendar day', async () => {
      const day = (iso: string) => Date.parse(iso);
      es.onAggregation = (request) => {
        const after = (request.body as { aggs: { groups: { composite: { after?: object } } } }).aggs.groups.composite.after;
        if (after === undefined) {
          const buckets = Array.from({ length: 1000 }, (_, i) => ({ key: { api_domain: 'directory', api_version: `v${i}`, day: day('2026-11-19T17:00:00Z'), status_class: 200 }, doc_count: i + 1 }));
          return { hits: { hits: [] }, aggregations: { groups: { after_key: buckets[999].key, buckets } } };
        }
        // A record at 2026-11-22T18:30Z falls in the Vietnam day that started at 2026-11-22T17:00Z: the 23rd.
        return {
          hits: { hits: [] },
          aggregations: {
            groups: {
              buckets: [
                { key: { api_domain: 'directory', api_version: 'v1', day: day('2026-11-22T17:00:00Z'), status_class: 500 }, doc_count: 1 },
                { key: { api_domain: null, api_version: null, day: day('2026-11-22T17:00:00Z'), status_class: 400 }, doc_count: 7 },
              ],
            },
          },
        };
      };
      const rows = await store.statement({ party: { kind: 'provider', id: 'p1' }, from: new Date('2026-11-01T00:00:00+07:00'), to: new Date('2026-12-01T00:00:00+07:00') });
      expect(rows).toHaveLength(1002);
      expect(rows[0]).toEqual({ apiDomain: 'directory', apiVersion: 'v0', day: '2026-11-20', statusClass: '2xx', count: 1 });
      expect(rows.slice(1000)).toEqual([
        { apiDomain: 'directory', apiVersion: 'v1', day: '2026-11-23', statusClass: '5xx', count: 1 },
        { apiDomain: '-', apiVersion: '-', day: '2026-11-23', statusClass: '4xx', count: 7 },
      ]);
      const composite = {
        size: 1000,
        sources: [
          { api_domain: { terms: { field: 'lgsp.api.domain', missing_bucket: true } } },
          { api_version: { terms: { field: 'lgsp.api.version', missing_bucket: true } } },
          { day: { date_histogram: { field: '@timestamp', calendar_interval: '1d', time_zone: 'Asia/Ho_Chi_Minh' } } },
          { status_class: { histogram: { field: 'http.response.status_code', interval: 100 } } },
        ],
      };
      const query = { bool: { filter: [{ range: { '@timestamp': { gte: '2026-10-31T17:00:00.000Z', lt: '2026-11-30T17:00:00.000Z' } } }, { term: { 'lgsp.provider.id': 'p1' } }] } };
      expect(es.searchRequests.map((r) => r.body)).toEqual([
        { size: 0, query, aggs: { groups: { composite } } },
        { size: 0, query, aggs: { groups: { composite: { ...composite, after: { api_domain: 'directory', api_version: 'v999', day: day('2026-11-19T17:00:00Z'), status_class: 200 } } } } },
      ]);
    });

    it('a consumer statement filters on lgsp.consumer.id', async () => {
      es.onAggregation = () => ({ hits: { hits: [] }, aggregations: { groups: { buckets: [] } } });
      expect(await store.statement({ party: { kind: 'consumer', id: 'c1' }, from: new Date(T0), to: new Date(T0 + 1) })).toEqual([]);
      expect((es.searchRequests[0].body as { query: { bool: { filter: unknown[] } } }).query.bool.filter[1]).toEqual({ term: { 'lgsp.consumer.id': 'c1' } });
    });

    it('scans request statuses under a point in time, a provider seeing only what reached it', async () => {
      const reached = chainOf(1001, 'gw-1', 1, () => ({ upstreamStartedAt: new Date(T0).toISOString() }));
      const refused = chainOf(2, 'gw-2', 2000, () => ({ status: 403 }));
      const noRequestId = chainOf(1, 'gw-3', 3000, () => ({ requestId: undefined, upstreamStartedAt: new Date(T0).toISOString() }));
      es.seed(DS, [...reached, ...refused, ...noRequestId].map((d) => ({ id: d.transaction.id, source: d })));
      const query = { party: { kind: 'provider' as const, id: 'p1' }, from: new Date(T0), to: new Date(T0 + 86_400_000) };
      const statuses = await collect(store.requestStatuses(query));
      expect(statuses).toHaveLength(1001);
      expect(statuses[0]).toEqual<RequestStatus>({ requestId: '3b241101-e2bb-4255-8caf-000000000001', transactionId: txId(1), status: 200 });
      const filter = [
        { range: { '@timestamp': { gte: new Date(T0).toISOString(), lt: new Date(T0 + 86_400_000).toISOString() } } },
        { term: { 'lgsp.provider.id': 'p1' } },
        { exists: { field: 'http.request.id' } },
        { exists: { field: 'lgsp.upstream.started_at' } },
      ];
      const page = { size: 1000, query: { bool: { filter } }, _source: ['http.request.id', 'transaction.id', 'http.response.status_code'], sort: [{ _shard_doc: 'asc' }] };
      expect(es.requests).toEqual([
        { method: 'POST', path: '/lgsp-transactions/_pit', querystring: { keep_alive: '1m' }, body: null },
        { method: 'POST', path: '/_search', querystring: {}, body: { ...page, pit: { id: 'pit-lgsp-transactions-1', keep_alive: '1m' } } },
        { method: 'POST', path: '/_search', querystring: {}, body: { ...page, pit: { id: 'pit-lgsp-transactions-1+', keep_alive: '1m' }, search_after: [999] } },
        { method: 'DELETE', path: '/_pit', querystring: {}, body: { id: 'pit-lgsp-transactions-1++' } },
      ]);

      es.requests.length = 0;
      const consumer = await collect(store.requestStatuses({ ...query, party: { kind: 'consumer', id: 'c1' } }));
      expect(consumer.map((s) => s.status).sort()).toEqual([...Array<number>(1001).fill(200), 403, 403]);
    });

    it('closes the point in time when the reader stops early', async () => {
      es.seed(DS, chainOf(3).map((d) => ({ id: d.transaction.id, source: d })));
      for await (const status of store.requestStatuses({ party: { kind: 'consumer', id: 'c1' }, from: new Date(T0), to: new Date(T0 + 86_400_000) })) {
        expect(status.status).toBe(200);
        break;
      }
      expect(es.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /lgsp-transactions/_pit', 'POST /_search', 'DELETE /_pit']);
    });
  });

  describe('elasticsearchClientOf', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'lgsp-es-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    function capturing(): { Connection: never; options: ConnectionOptions[]; headers: Record<string, string>[] } {
      const options: ConnectionOptions[] = [];
      const headers: Record<string, string>[] = [];
      const Base = es.mock.getConnection();
      class Capturing extends Base {
        constructor(opts: ConnectionOptions) {
          super(opts);
          options.push(opts);
        }
        override request(params: Parameters<InstanceType<typeof Base>['request']>[0], opts: Parameters<InstanceType<typeof Base>['request']>[1]) {
          headers.push({ ...(params.headers as Record<string, string>) });
          return super.request(params, opts as never) as never;
        }
      }
      return { Connection: Capturing as never, options, headers };
    }

    it('builds the real client from the configuration: nodes, API key, CA file, no client-side retries', async () => {
      const ca = join(dir, 'ca.pem');
      await writeFile(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
      const seen = capturing();
      const client = elasticsearchClientOf({ nodes: ['https://es-1:9200', 'https://es-2:9200'], apiKey: 'a2V5OnNlY3JldA==', caFile: ca }, { Connection: seen.Connection });
      expect(seen.options.map((o) => o.url.href)).toEqual(['https://es-1:9200/', 'https://es-2:9200/']);
      expect(seen.options[0].tls).toEqual({ ca: Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n') });
      es.down = { status: 503 };
      await expect(client.indices.exists({ index: 'x' })).rejects.toMatchObject({ statusCode: 503 });
      expect(es.requests).toHaveLength(1);
      expect(seen.headers[0]['authorization']).toBe('ApiKey a2V5OnNlY3JldA==');
    });

    it('uses basic auth when a user name is configured, and the store works over it', async () => {
      const seen = capturing();
      const client = elasticsearchClientOf({ nodes: ['http://es:9200'], username: 'ledger', password: 'pw' }, { Connection: seen.Connection });
      await new ElasticsearchLedgerStore(client).ensureReady();
      expect(seen.headers[0]['authorization']).toBe(`Basic ${Buffer.from('ledger:pw').toString('base64')}`);
      expect(es.dataStreams.has(DS)).toBe(true);
    });
  });
});

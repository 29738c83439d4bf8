import { randomUUID } from 'node:crypto';

import { consumerSystems } from '@lgsp/data';

import { type PlantedRow, type PlantedTransaction, plantTransactions } from '../../../test/ledger-rows.util';
import { startTestLedgerApi, type TestLedgerApi } from '../../../test/ledger-api-test.util';
import { STATEMENT_SIGNATURE_HEADER, verifyStatement } from './statement-signature.util';

const FROM = '2024-05-01T00:00:00.000Z';
const TO = '2024-05-03T00:00:00.000Z';
const PERIOD = `from=${FROM}&to=${TO}`;

const a1 = { consumerId: 'cs-a1', providerId: 'prov-x', apiDomain: 'tax', apiVersion: 'v1' };
const a2 = { consumerId: 'cs-a2', providerId: 'prov-y', apiDomain: 'land', apiVersion: 'v2' };
const b1 = { consumerId: 'cs-b1', providerId: 'prov-x', apiDomain: 'tax', apiVersion: 'v1' };
/** The known mix of traffic: statements and reconciliations must match it exactly. */
const TRAFFIC: PlantedTransaction[] = [
  { ...a1, at: '2024-05-01T03:00:00.000Z', status: 200 },
  { ...a1, at: '2024-05-01T04:00:00.000Z', status: 200 },
  { ...a1, at: '2024-05-01T05:00:00.000Z', status: 204 },
  // Refused at the gateway: the consumer's, never reached the provider.
  { ...a1, at: '2024-05-01T06:00:00.000Z', status: 404, upstream: false },
  // 01:00 on 2 May in Vietnam.
  { ...a1, at: '2024-05-01T18:00:00.000Z', status: 503, upstream: true },
  { ...a2, at: '2024-05-02T02:00:00.000Z', status: 200 },
  { ...a2, at: '2024-05-02T02:30:00.000Z', status: 200 },
  { ...b1, at: '2024-05-02T03:00:00.000Z', status: 201 },
  { ...b1, at: '2024-05-02T03:30:00.000Z', status: 201 },
  { ...b1, at: '2024-05-02T04:00:00.000Z', status: 429, upstream: false },
  { consumerId: 'cs-b1', at: '2024-05-02T05:00:00.000Z', status: 401, requestId: null },
  // Outside the period.
  { ...a1, at: '2024-05-03T00:00:00.000Z', status: 200 },
];

describe('SOC search and reconciliation API (/admin/v1/ledger)', () => {
  let api: TestLedgerApi;
  let rows: PlantedRow[];
  let soc: string;
  let unitA: string;
  let providerX: string;

  beforeAll(async () => {
    api = await startTestLedgerApi();
    await api.database.db.insert(consumerSystems).values([
      { id: 'cs-a1', name: 'A one', organisation: 'unit-a' },
      { id: 'cs-a2', name: 'A two', organisation: 'unit-a' },
      { id: 'cs-b1', name: 'B one', organisation: 'unit-b' },
    ]);
    rows = await plantTransactions(api.database, TRAFFIC);
    soc = await api.tokenFor({ clientId: 'soc-1', roles: ['soc-analyst'] });
    unitA = await api.tokenFor({ clientId: 'unit-a-admin', roles: ['consumer'], organisation: 'unit-a' });
    providerX = await api.tokenFor({ clientId: 'prov-x-admin', roles: ['provider'], organisation: 'prov-x' });
  }, 60_000);

  afterAll(async () => {
    await api?.close();
  });

  const consumersOf = (items: { lgsp: { consumer?: { id: string } } }[]): string[] => items.map((item) => item.lgsp.consumer?.id ?? '').sort();
  const rowsWhere = (test: (item: PlantedTransaction) => boolean): PlantedRow[] => rows.filter((_, index) => test(TRAFFIC[index]) && TRAFFIC[index].at < TO);

  describe('GET transactions', () => {
    it('shows the SOC everything in the period, newest first, with filters', async () => {
      const all = await api.call('GET', `/admin/v1/ledger/transactions?${PERIOD}`, { token: soc });
      expect(all.status).toBe(200);
      expect(all.body.total).toBe(11);
      expect(all.body.items[0].transaction.id).toBe(rows[10].transactionId);
      expect(all.body.next).toBeUndefined();
      const refused = await api.call('GET', `/admin/v1/ledger/transactions?${PERIOD}&status=4xx&provider=prov-x`, { token: soc });
      expect(refused.body.items.map((item: { transaction: { id: string } }) => item.transaction.id).sort()).toEqual([rows[3].transactionId, rows[9].transactionId].sort());
      const paged = await api.call('GET', `/admin/v1/ledger/transactions?${PERIOD}&size=4`, { token: soc });
      expect([paged.body.total, paged.body.items.length, typeof paged.body.next]).toEqual([11, 4, 'string']);
      const next = await api.call('GET', `/admin/v1/ledger/transactions?${PERIOD}&size=4&cursor=${paged.body.next}`, { token: soc });
      expect(next.body.items[0].transaction.id).toBe(rows[6].transactionId);
    });

    it("shows a consumer admin only its unit's consumer systems, and another unit's transaction as absent", async () => {
      const mine = await api.call('GET', `/admin/v1/ledger/transactions?${PERIOD}`, { token: unitA });
      expect(mine.body.total).toBe(7);
      expect([...new Set(consumersOf(mine.body.items))]).toEqual(['cs-a1', 'cs-a2']);
      const asking = await api.call('GET', `/admin/v1/ledger/transactions?${PERIOD}&consumer=cs-b1`, { token: unitA });
      expect(asking.body).toEqual({ total: 0, items: [] });
      const other = await api.call('GET', `/admin/v1/ledger/transactions/${rows[7].transactionId}`, { token: unitA, headers: { 'x-request-id': randomUUID() } });
      const missing = await api.call('GET', `/admin/v1/ledger/transactions/${randomUUID()}`, { token: unitA });
      expect([other.status, other.body.code, missing.status, missing.body.detail]).toEqual([404, 'not_found', 404, other.body.detail]);
      expect(other.headers.get('content-type')).toContain('application/problem+json');
      const own = await api.call('GET', `/admin/v1/ledger/transactions/${rows[0].transactionId}`, { token: unitA });
      expect([own.status, own.body]).toEqual([200, rows[0].document]);
    });

    it("shows a provider admin only its unit's APIs", async () => {
      const mine = await api.call('GET', `/admin/v1/ledger/transactions?${PERIOD}`, { token: providerX });
      expect(mine.body.total).toBe(8);
      expect(new Set(mine.body.items.map((item: { transaction: { id: string } }) => item.transaction.id))).toEqual(new Set(rowsWhere((item) => item.providerId === 'prov-x').map((row) => row.transactionId)));
      const other = await api.call('GET', `/admin/v1/ledger/transactions/${rows[5].transactionId}`, { token: providerX });
      expect(other.status).toBe(404);
    });

    it('refuses without a token, and bad parameters with problem+json carrying code and requestId', async () => {
      const requestId = randomUUID();
      const anonymous = await api.call('GET', `/admin/v1/ledger/transactions?${PERIOD}`);
      expect([anonymous.status, anonymous.body.code]).toEqual([401, 'invalid_token']);
      const tooLong = await api.call('GET', `/admin/v1/ledger/transactions?from=2024-01-01T00:00:00Z&to=2024-03-01T00:00:00Z`, { token: soc, headers: { 'x-request-id': requestId } });
      expect([tooLong.status, tooLong.body.code, tooLong.body.requestId]).toEqual([422, 'unprocessable', requestId]);
      const badSize = await api.call('GET', `/admin/v1/ledger/transactions?${PERIOD}&size=5000&status=abc`, { token: soc, headers: { 'x-request-id': requestId } });
      expect([badSize.status, badSize.body.code, badSize.body.requestId, badSize.body.errors.map((e: { location: string }) => e.location).sort()]).toEqual([400, 'validation_failed', requestId, ['size', 'status']]);
      const noPeriod = await api.call('GET', `/admin/v1/ledger/transactions`, { token: soc });
      expect([noPeriod.status, noPeriod.body.code]).toEqual([400, 'validation_failed']);
      const badCursor = await api.call('GET', `/admin/v1/ledger/transactions?${PERIOD}&cursor=nope`, { token: soc });
      expect([badCursor.status, badCursor.body.code]).toEqual([400, 'validation_failed']);
    });
  });

  describe('GET statements', () => {
    const consumerRows = [
      { apiDomain: 'tax', apiVersion: 'v1', day: '2024-05-01', statusClass: '2xx', count: 3 },
      { apiDomain: 'tax', apiVersion: 'v1', day: '2024-05-01', statusClass: '4xx', count: 1 },
      { apiDomain: 'tax', apiVersion: 'v1', day: '2024-05-02', statusClass: '5xx', count: 1 },
    ];

    it("gives a consumer's statement matching the traffic exactly, signed over its bytes", async () => {
      const answer = await api.call('GET', `/admin/v1/ledger/statements?party=consumer:cs-a1&${PERIOD}`, { token: unitA });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        statementId: expect.any(String),
        party: 'consumer:cs-a1',
        period: { from: FROM, to: TO },
        timeZone: 'Asia/Ho_Chi_Minh',
        generatedAt: expect.any(String),
        rows: consumerRows,
        totals: { all: 5, byStatusClass: { '2xx': 3, '4xx': 1, '5xx': 1 }, byApi: [{ apiDomain: 'tax', apiVersion: 'v1', count: 5 }], byDay: { '2024-05-01': 4, '2024-05-02': 1 } },
      });
      const signature = answer.headers.get(STATEMENT_SIGNATURE_HEADER)!;
      expect(signature).toMatch(/^[\w-]+\.\.[\w-]+$/);
      expect(await verifyStatement(answer.raw, signature, api.jwks)).toEqual({ party: 'consumer:cs-a1', from: FROM, to: TO, kid: 'platform-test-key', alg: 'ES256' });
      const tampered = Buffer.from(answer.raw);
      tampered[tampered.indexOf('"count":3') + 8] = '4'.charCodeAt(0);
      await expect(verifyStatement(tampered, signature, api.jwks)).rejects.toThrow();
    });

    it("gives a provider's statement of the transactions that reached it, as CSV", async () => {
      const answer = await api.call('GET', `/admin/v1/ledger/statements?party=provider:prov-x&${PERIOD}&format=csv`, { token: providerX });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(answer.body).toBe(
        [
          'api,version,day,status_class,count',
          'tax,v1,2024-05-01,2xx,3',
          'tax,v1,2024-05-02,2xx,2',
          'tax,v1,2024-05-02,5xx,1',
          'tax,v1,*,*,6',
          '*,*,2024-05-01,*,3',
          '*,*,2024-05-02,*,3',
          '*,*,*,2xx,5',
          '*,*,*,5xx,1',
          '*,*,*,*,6',
          '',
        ].join('\r\n'),
      );
      const signature = answer.headers.get(STATEMENT_SIGNATURE_HEADER)!;
      expect((await verifyStatement(answer.raw, signature, api.jwks)).party).toBe('provider:prov-x');
      const tampered = Buffer.from(answer.raw);
      tampered[tampered.length - 3] = '7'.charCodeAt(0);
      await expect(verifyStatement(tampered, signature, api.jwks)).rejects.toThrow();
    });

    it("refuses a party admin another party's statement; the SOC may see any", async () => {
      const other = await api.call('GET', `/admin/v1/ledger/statements?party=consumer:cs-b1&${PERIOD}`, { token: unitA });
      const otherProvider = await api.call('GET', `/admin/v1/ledger/statements?party=provider:prov-y&${PERIOD}`, { token: providerX });
      expect([other.status, other.body.code, otherProvider.status]).toEqual([403, 'forbidden', 403]);
      const bySoc = await api.call('GET', `/admin/v1/ledger/statements?party=consumer:cs-a1&${PERIOD}`, { token: soc });
      expect(bySoc.body.rows).toEqual(consumerRows);
      const badParty = await api.call('GET', `/admin/v1/ledger/statements?party=someone&${PERIOD}`, { token: soc });
      expect([badParty.status, badParty.body.code]).toEqual([400, 'validation_failed']);
    });
  });

  describe('POST reconciliations', () => {
    /** cs-a1's list with planted differences: one of ours left out, one unknown to us, one status changed, one listed twice. */
    function plantedList(): { list: { requestId: string; status: number }[]; expected: Record<string, unknown> } {
      const mine = rowsWhere((item) => item.consumerId === 'cs-a1');
      const statusOf = (row: PlantedRow): number => TRAFFIC[rows.indexOf(row)].status!;
      const [kept1, kept2, leftOut, changed, doubled] = mine;
      const unknown = randomUUID();
      const list = [
        { requestId: kept1.requestId!, status: statusOf(kept1) },
        { requestId: kept2.requestId!.toUpperCase(), status: statusOf(kept2) },
        { requestId: changed.requestId!, status: 500 },
        { requestId: doubled.requestId!, status: statusOf(doubled) },
        { requestId: unknown, status: 200 },
        { requestId: doubled.requestId!, status: statusOf(doubled) },
      ];
      const expected = {
        party: 'consumer:cs-a1',
        period: { from: FROM, to: TO },
        counts: { theirs: 6, platform: 5, matched: 2 },
        missingOnPlatform: [{ requestId: unknown, status: 200 }],
        missingOnParty: [{ requestId: leftOut.requestId, transactionId: leftOut.transactionId, status: statusOf(leftOut) }],
        statusMismatches: [{ requestId: changed.requestId, transactionId: changed.transactionId, platformStatus: statusOf(changed), partyStatus: 500 }],
        duplicates: {
          party: [{ requestId: doubled.requestId, statuses: [statusOf(doubled), statusOf(doubled)], platform: [{ transactionId: doubled.transactionId, status: statusOf(doubled) }] }],
          platform: [],
        },
      };
      return { list, expected };
    }

    it('returns exactly the planted differences of a JSON list, signed', async () => {
      const { list, expected } = plantedList();
      const answer = await api.call('POST', '/admin/v1/ledger/reconciliations', { token: unitA, body: { party: 'consumer:cs-a1', from: FROM, to: TO, transactions: list } });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual(expected);
      const verified = await verifyStatement(answer.raw, answer.headers.get(STATEMENT_SIGNATURE_HEADER)!, api.jwks);
      expect([verified.party, verified.from, verified.to]).toEqual(['consumer:cs-a1', FROM, TO]);
    });

    it('returns the same differences for the same list as CSV', async () => {
      const { list, expected } = plantedList();
      const csv = `request_id,status\r\n${list.map((row) => `${row.requestId},${row.status}`).join('\r\n')}\r\n`;
      const answer = await api.call('POST', `/admin/v1/ledger/reconciliations?party=consumer:cs-a1&${PERIOD}`, { token: unitA, body: csv, contentType: 'text/csv' });
      expect([answer.status, answer.body]).toEqual([200, expected]);
    });

    it("takes a list larger than the listener's body limit, and refuses another party's", async () => {
      const csv = `request_id,status\n${Array.from({ length: 3000 }, () => `${randomUUID()},200`).join('\n')}\n`;
      expect(csv.length).toBeGreaterThan(64 * 1024);
      const answer = await api.call('POST', `/admin/v1/ledger/reconciliations?party=provider:prov-x&${PERIOD}`, { token: providerX, body: csv, contentType: 'text/csv' });
      expect([answer.status, answer.body.counts, answer.body.missingOnPlatform.length, answer.body.missingOnParty.length]).toEqual([200, { theirs: 3000, platform: 6, matched: 0 }, 3000, 6]);
      const other = await api.call('POST', '/admin/v1/ledger/reconciliations', { token: unitA, body: { party: 'consumer:cs-b1', from: FROM, to: TO, transactions: [] } });
      expect([other.status, other.body.code]).toEqual([403, 'forbidden']);
    });

    it('refuses invalid rows with a 422 listing each, by JSON pointer or line', async () => {
      const requestId = randomUUID();
      const json = await api.call('POST', '/admin/v1/ledger/reconciliations', {
        token: soc,
        headers: { 'x-request-id': requestId },
        body: { party: 'consumer:cs-a1', from: FROM, to: TO, transactions: [{ requestId: randomUUID(), status: 200 }, { requestId: 'nope', status: 200 }, { requestId: randomUUID(), status: 1000, extra: 1 }] },
      });
      expect([json.status, json.body.code, json.body.requestId]).toEqual([422, 'unprocessable', requestId]);
      expect(json.body.errors.map((e: { location: string }) => e.location)).toEqual(['/transactions/1/requestId', '/transactions/2/extra', '/transactions/2/status']);
      const csv = await api.call('POST', `/admin/v1/ledger/reconciliations?party=consumer:cs-a1&${PERIOD}`, {
        token: soc,
        headers: { 'x-request-id': requestId },
        body: `request_id,status\n${randomUUID()},200\n${randomUUID()}\nxyz,abc\n`,
        contentType: 'text/csv',
      });
      expect([csv.status, csv.body.code, csv.body.requestId]).toEqual([422, 'unprocessable', requestId]);
      expect(csv.body.errors.map((e: { location: string }) => e.location)).toEqual(['line 3', 'line 4, request_id', 'line 4, status']);
      const noHeader = await api.call('POST', `/admin/v1/ledger/reconciliations?party=consumer:cs-a1&${PERIOD}`, { token: soc, body: `${randomUUID()},200\n`, contentType: 'text/csv' });
      expect([noHeader.status, noHeader.body.code]).toEqual([422, 'unprocessable']);
      const csvWithoutParty = await api.call('POST', '/admin/v1/ledger/reconciliations', { token: soc, body: 'request_id,status\n', contentType: 'text/csv' });
      expect([csvWithoutParty.status, csvWithoutParty.body.code]).toEqual([400, 'validation_failed']);
      const envelope = await api.call('POST', '/admin/v1/ledger/reconciliations', { token: soc, body: { party: 'consumer:cs-a1', transactions: {} } });
      expect([envelope.status, envelope.body.errors.map((e: { location: string }) => e.location)]).toEqual([400, ['/from', '/to', '/transactions']]);
    });
  });
});

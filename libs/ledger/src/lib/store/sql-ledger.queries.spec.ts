import { ErrorCode } from '@lgsp/contracts';
import { type LgspDatabase, migrateDatabase, openDatabase } from '@lgsp/data';
import { createTestDatabase, type TestDatabase } from '@lgsp/testing';

import { type PlantedRow, plantTransactions } from '../../../test/ledger-rows.util';
import { InvalidLedgerCursorError } from './ledger-cursor.util';
import type { LedgerSearchQuery, RequestStatus } from './ledger-store.type';
import { SqlLedgerQueries } from './sql-ledger.queries';

const FROM = new Date('2024-03-01T00:00:00.000Z');
const TO = new Date('2024-03-03T00:00:00.000Z');
const SAME_INSTANT = '2024-03-02T04:00:00.000Z';

/** Named so each test can say which transactions it expects. */
const TRAFFIC = {
  // 23:59:59.999 on 1 March in Vietnam, one millisecond before its 2 March.
  lateFirst: { at: '2024-03-01T16:59:59.999Z', consumerId: 'c1', providerId: 'p1', apiDomain: 'tax', apiVersion: 'v1', status: 200 },
  earlySecond: { at: '2024-03-01T17:00:00.000Z', consumerId: 'c1', providerId: 'p1', apiDomain: 'tax', apiVersion: 'v1', status: 201 },
  notFound: { at: '2024-03-02T01:00:00.000Z', consumerId: 'c1', providerId: 'p1', apiDomain: 'tax', apiVersion: 'v1', status: 404, errorCode: ErrorCode.NotFound },
  badGateway: { at: '2024-03-02T02:00:00.000Z', consumerId: 'c2', providerId: 'p2', apiDomain: 'land', apiVersion: 'v2', status: 502, clientIp: '198.51.100.7' },
  replay: { at: '2024-03-02T03:00:00.000Z', consumerId: 'c2', status: 409, errorCode: ErrorCode.ReplayDetected, securityEvent: 'replay-detected' as const },
  same1: { at: SAME_INSTANT, consumerId: 'c1', providerId: 'p2', apiDomain: 'land', apiVersion: 'v2', status: 200 },
  same2: { at: SAME_INSTANT, consumerId: 'c1', providerId: 'p2', apiDomain: 'land', apiVersion: 'v2', status: 200, requestId: null },
  same3: { at: SAME_INSTANT, consumerId: 'c1', providerId: 'p2', apiDomain: 'land', apiVersion: 'v2', status: 200 },
  // On `to`: excluded (the period's end is exclusive).
  atEnd: { at: '2024-03-03T00:00:00.000Z', consumerId: 'c1', providerId: 'p1', apiDomain: 'tax', apiVersion: 'v1', status: 200 },
  before: { at: '2024-02-29T23:59:59.999Z', consumerId: 'c1', providerId: 'p1', apiDomain: 'tax', apiVersion: 'v1', status: 200 },
} as const;
type Name = keyof typeof TRAFFIC;

describe.each([['PostgreSQL'], ['PGlite']])('SqlLedgerQueries on %s', (kind) => {
  let server: TestDatabase | undefined;
  let database: LgspDatabase;
  let queries: SqlLedgerQueries;
  const planted = new Map<Name, PlantedRow>();

  beforeAll(async () => {
    if (kind === 'PostgreSQL') {
      server = await createTestDatabase();
      database = await openDatabase({ url: server.url });
    } else {
      database = await openDatabase({ inMemory: true });
    }
    await migrateDatabase(database);
    const names = Object.keys(TRAFFIC) as Name[];
    const rows = await plantTransactions(database, names.map((name) => TRAFFIC[name]));
    names.forEach((name, index) => planted.set(name, rows[index]));
    queries = new SqlLedgerQueries(database);
  }, 60_000);

  afterAll(async () => {
    await database?.close();
    await server?.drop();
  });

  const idOf = (name: Name): string => planted.get(name)!.transactionId;
  const namesOf = (ids: readonly string[]): Name[] => ids.map((id) => [...planted].find(([, row]) => row.transactionId === id)?.[0] ?? (id as Name)).sort();
  async function found(query: Partial<LedgerSearchQuery>): Promise<{ total: number; names: Name[] }> {
    const page = await queries.search({ from: FROM, to: TO, size: 100, ...query });
    return { total: page.total, names: namesOf(page.items.map((item) => item.transaction.id)) };
  }

  it('finds every transaction of the period, its end excluded, and returns the stored documents', async () => {
    const page = await queries.search({ from: FROM, to: TO, size: 100 });
    expect(page.total).toBe(8);
    expect(page.next).toBeUndefined();
    expect(namesOf(page.items.map((item) => item.transaction.id))).toEqual(['badGateway', 'earlySecond', 'lateFirst', 'notFound', 'replay', 'same1', 'same2', 'same3']);
    expect(page.items.find((item) => item.transaction.id === idOf('replay'))).toEqual(planted.get('replay')!.document);
  });

  it('filters on each column', async () => {
    expect(await found({ consumerId: 'c2' })).toEqual({ total: 2, names: ['badGateway', 'replay'] });
    expect(await found({ providerId: 'p1' })).toEqual({ total: 3, names: ['earlySecond', 'lateFirst', 'notFound'] });
    expect(await found({ apiDomain: 'land', apiVersion: 'v2', consumerId: 'c1' })).toEqual({ total: 3, names: ['same1', 'same2', 'same3'] });
    expect(await found({ apiVersion: 'v1' })).toEqual({ total: 3, names: ['earlySecond', 'lateFirst', 'notFound'] });
    expect(await found({ status: 404 })).toEqual({ total: 1, names: ['notFound'] });
    expect(await found({ statusClass: 4 })).toEqual({ total: 2, names: ['notFound', 'replay'] });
    expect(await found({ statusClass: 2, providerId: 'p1' })).toEqual({ total: 2, names: ['earlySecond', 'lateFirst'] });
    expect(await found({ errorCode: ErrorCode.NotFound })).toEqual({ total: 1, names: ['notFound'] });
    expect(await found({ clientIp: '198.51.100.7' })).toEqual({ total: 1, names: ['badGateway'] });
    expect(await found({ requestId: planted.get('same3')!.requestId })).toEqual({ total: 1, names: ['same3'] });
    expect(await found({ transactionId: idOf('lateFirst') })).toEqual({ total: 1, names: ['lateFirst'] });
    expect(await found({ securityEvent: true })).toEqual({ total: 1, names: ['replay'] });
    expect(await found({ securityEvent: 'replay-detected' })).toEqual({ total: 1, names: ['replay'] });
    expect(await found({ securityEvent: 'token-revoked-use' })).toEqual({ total: 0, names: [] });
    expect(await found({ from: new Date('2024-03-02T01:00:00.000Z'), to: new Date('2024-03-02T03:00:00.000Z') })).toEqual({ total: 2, names: ['badGateway', 'notFound'] });
  });

  it('keeps to the scope: its consumers or its providers, nothing for an empty one', async () => {
    expect(await found({ scope: { consumerIds: ['c2'] } })).toEqual({ total: 2, names: ['badGateway', 'replay'] });
    expect(await found({ scope: { providerIds: ['p1'] } })).toEqual({ total: 3, names: ['earlySecond', 'lateFirst', 'notFound'] });
    expect(await found({ scope: { consumerIds: ['c2'], providerIds: ['p1'] } })).toEqual({ total: 5, names: ['badGateway', 'earlySecond', 'lateFirst', 'notFound', 'replay'] });
    expect(await found({ scope: {} })).toEqual({ total: 0, names: [] });
    expect(await found({ scope: { consumerIds: [] } })).toEqual({ total: 0, names: [] });
    // A filter cannot widen the scope.
    expect(await found({ scope: { consumerIds: ['c2'] }, consumerId: 'c1' })).toEqual({ total: 0, names: [] });
  });

  it('pages newest first, transaction id descending at equal times, with each transaction on exactly one page', async () => {
    const seen: string[] = [];
    const totals: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await queries.search({ from: FROM, to: TO, size: 2, ...(cursor !== undefined && { cursor }) });
      expect(page.items.length).toBeLessThanOrEqual(2);
      totals.push(page.total);
      seen.push(...page.items.map((item) => item.transaction.id));
      cursor = page.next;
    } while (cursor !== undefined);
    const sameInstant = [idOf('same1'), idOf('same2'), idOf('same3')].sort().reverse();
    expect(seen).toEqual([...sameInstant, idOf('replay'), idOf('badGateway'), idOf('notFound'), idOf('earlySecond'), idOf('lateFirst')]);
    expect(totals).toEqual([8, 8, 8, 8]);
    // Page boundary inside the three equal timestamps.
    const first = await queries.search({ from: FROM, to: TO, size: 1 });
    const second = await queries.search({ from: FROM, to: TO, size: 1, cursor: first.next });
    expect([first.items[0].transaction.id, second.items[0].transaction.id]).toEqual(sameInstant.slice(0, 2));
  });

  it('refuses a cursor it did not issue', async () => {
    await expect(queries.search({ from: FROM, to: TO, size: 2, cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(InvalidLedgerCursorError);
    const forged = Buffer.from(JSON.stringify({ t: 'yesterday', id: idOf('same1') })).toString('base64url');
    await expect(queries.search({ from: FROM, to: TO, size: 2, cursor: forged })).rejects.toBeInstanceOf(InvalidLedgerCursorError);
  });

  it("counts a consumer's statement by API, version, Vietnam day and status class, '-' without an API", async () => {
    expect(await queries.statement({ party: { kind: 'consumer', id: 'c1' }, from: FROM, to: TO })).toEqual([
      { apiDomain: 'land', apiVersion: 'v2', day: '2024-03-02', statusClass: '2xx', count: 3 },
      { apiDomain: 'tax', apiVersion: 'v1', day: '2024-03-01', statusClass: '2xx', count: 1 },
      { apiDomain: 'tax', apiVersion: 'v1', day: '2024-03-02', statusClass: '2xx', count: 1 },
      { apiDomain: 'tax', apiVersion: 'v1', day: '2024-03-02', statusClass: '4xx', count: 1 },
    ]);
    expect(await queries.statement({ party: { kind: 'consumer', id: 'c2' }, from: FROM, to: TO })).toEqual([
      { apiDomain: '-', apiVersion: '-', day: '2024-03-02', statusClass: '4xx', count: 1 },
      { apiDomain: 'land', apiVersion: 'v2', day: '2024-03-02', statusClass: '5xx', count: 1 },
    ]);
  });

  it("counts in a provider's statement only the transactions that reached it", async () => {
    expect(await queries.statement({ party: { kind: 'provider', id: 'p1' }, from: FROM, to: TO })).toEqual([
      { apiDomain: 'tax', apiVersion: 'v1', day: '2024-03-01', statusClass: '2xx', count: 1 },
      { apiDomain: 'tax', apiVersion: 'v1', day: '2024-03-02', statusClass: '2xx', count: 1 },
    ]);
    expect(await queries.statement({ party: { kind: 'provider', id: 'nobody' }, from: FROM, to: TO })).toEqual([]);
  });

  it("streams a party's transactions that carry an X-Request-ID", async () => {
    const collect = async (iterable: AsyncIterable<RequestStatus>): Promise<RequestStatus[]> => {
      const all: RequestStatus[] = [];
      for await (const item of iterable) all.push(item);
      return all.sort((a, b) => a.transactionId.localeCompare(b.transactionId));
    };
    const expected = (...names: Name[]): RequestStatus[] =>
      names
        .map((name) => ({ requestId: planted.get(name)!.requestId!, transactionId: idOf(name), status: TRAFFIC[name].status }))
        .sort((a, b) => a.transactionId.localeCompare(b.transactionId));
    expect(await collect(queries.requestStatuses({ party: { kind: 'consumer', id: 'c1' }, from: FROM, to: TO }))).toEqual(expected('lateFirst', 'earlySecond', 'notFound', 'same1', 'same3'));
    expect(await collect(queries.requestStatuses({ party: { kind: 'provider', id: 'p2' }, from: FROM, to: TO }))).toEqual(expected('badGateway', 'same1', 'same3'));
  });

  it('streams more than one page of request statuses, each once', async () => {
    const partyId = `bulk-${kind}`;
    const bulk = await plantTransactions(
      database,
      Array.from({ length: 2345 }, (_, index) => ({ at: new Date(Date.parse('2024-04-01T00:00:00.000Z') + (index % 7) * 1000).toISOString(), consumerId: partyId })),
    );
    const ids: string[] = [];
    for await (const item of queries.requestStatuses({ party: { kind: 'consumer', id: partyId }, from: new Date('2024-04-01T00:00:00.000Z'), to: new Date('2024-04-02T00:00:00.000Z') })) ids.push(item.transactionId);
    expect(ids.length).toBe(2345);
    expect(new Set(ids)).toEqual(new Set(bulk.map((row) => row.transactionId)));
  }, 60_000);
});

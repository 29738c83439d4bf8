import { Client, errors } from '@elastic/elasticsearch';
import Mock from '@elastic/elasticsearch-mock';

export interface SeenRequest {
  method: string;
  path: string;
  querystring: Record<string, string>;
  body: unknown;
}

/** What a request meets instead of its answer: a whole-request failure. */
export type Outage = { status: number } | { connectionError: true };

type Json = Record<string, unknown>;
type Query = Json;

export interface StoredHit {
  _index: string;
  _id: string;
  _source: Json;
  /** Insertion order across the cluster: what `_shard_doc` sorts on here. */
  order: number;
}

export function responseError(statusCode: number, body: object = { error: { type: 'unavailable', reason: 'scripted' }, status: statusCode }): errors.ResponseError {
  return new errors.ResponseError({ body, statusCode, headers: {}, warnings: null, meta: {} as never });
}

function valuesAt(source: Json, hit: StoredHit, field: string): unknown[] {
  if (field === '_index') return [hit._index];
  if (field === '_id') return [hit._id];
  let value: unknown = source[field];
  if (value === undefined) {
    value = field.split('.').reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Json)[key] : undefined), source);
  }
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function comparable(value: unknown): number | string {
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value)) return Date.parse(value);
  return value as number | string;
}

function matches(query: Query, hit: StoredHit): boolean {
  const [kind, spec] = Object.entries(query)[0] as [string, Json];
  switch (kind) {
    case 'match_all':
      return true;
    case 'match_none':
      return false;
    case 'ids':
      return (spec['values'] as string[]).includes(hit._id);
    case 'exists':
      return valuesAt(hit._source, hit, spec['field'] as string).length > 0;
    case 'term': {
      const [field, value] = Object.entries(spec)[0];
      return valuesAt(hit._source, hit, field).includes(value);
    }
    case 'terms': {
      const [field, wanted] = Object.entries(spec)[0] as [string, unknown[]];
      return valuesAt(hit._source, hit, field).some((value) => wanted.includes(value));
    }
    case 'range': {
      const [field, bounds] = Object.entries(spec)[0] as [string, Json];
      return valuesAt(hit._source, hit, field).some((raw) => {
        const value = comparable(raw);
        const bound = (name: string) => comparable(bounds[name]);
        return (
          (bounds['gte'] === undefined || value >= bound('gte')) &&
          (bounds['gt'] === undefined || value > bound('gt')) &&
          (bounds['lte'] === undefined || value <= bound('lte')) &&
          (bounds['lt'] === undefined || value < bound('lt'))
        );
      });
    }
    case 'bool': {
      const filter = (spec['filter'] as Query[] | undefined) ?? [];
      const should = (spec['should'] as Query[] | undefined) ?? [];
      return filter.every((q) => matches(q, hit)) && (should.length === 0 || should.some((q) => matches(q, hit)));
    }
    default:
      throw new Error(`fake Elasticsearch: query ${kind} not supported`);
  }
}

function compare(a: readonly unknown[], b: readonly unknown[], orders: readonly string[]): number {
  for (let i = 0; i < orders.length; i++) {
    const x = a[i] as number | string;
    const y = b[i] as number | string;
    if (x === y) continue;
    const sign = x < y ? -1 : 1;
    return orders[i] === 'desc' ? -sign : sign;
  }
  return 0;
}

/**
 * Elasticsearch as far as the ledger store sees it, on @elastic/elasticsearch-mock. It records every
 * request exactly as the real client sent it, and keeps a data stream's backing indices: `create`
 * conflicts only within the current write index, as in a real data stream, and `rollover()` starts a
 * new one. Searches run a small subset of the query DSL (bool filter/should, term(s), range, exists,
 * ids) with sort and search_after; aggregations are scripted per test through `onAggregation`.
 */
export class FakeElasticsearchStore {
  readonly mock = new Mock();
  readonly requests: SeenRequest[] = [];
  /** Backing indices of each data stream, the write index last. */
  readonly backing = new Map<string, Map<string, StoredHit>[]>();
  /** Plain indices (the heads index). */
  readonly indices = new Map<string, Map<string, StoredHit>>();
  /** Whole-request failures to answer, one per bulk request, before answering normally. */
  readonly outages: Outage[] = [];
  /** While set, every request (searches included) fails this way. */
  down?: Outage;
  /** Per document id, statuses its next creates answer (then it is created). */
  readonly itemStatuses = new Map<string, number[]>();
  ilmPresent = false;
  templateVersion: number | undefined;
  readonly dataStreams = new Set<string>();
  /** Answers a search that carries `aggs`. */
  onAggregation?: (request: SeenRequest) => object;
  private order = 0;
  private pits = 0;

  constructor() {
    const route = (method: string | string[], path: string | string[], handle: (request: SeenRequest) => unknown) => {
      this.mock.add({ method, path } as never, (params) => {
        const p = params as unknown as { method: string; path: string; querystring?: Record<string, string>; body?: unknown };
        const request = { method: p.method, path: p.path, querystring: { ...(p.querystring ?? {}) }, body: p.body ?? null };
        this.requests.push(request);
        if (this.down !== undefined) return this.failure(this.down) as Record<string, unknown>;
        return handle(request) as Record<string, unknown>;
      });
    };
    const notFound = (type: string) => responseError(404, { error: { type, reason: 'scripted not found' }, status: 404 });
    const nameOf = (request: SeenRequest) => request.path.split('/').filter(Boolean)[1] ?? '';

    route('GET', '/_ilm/policy/:name', (request) => (this.ilmPresent ? { [nameOf(request)]: { version: 1, policy: {} } } : notFound('resource_not_found_exception')));
    route('PUT', '/_ilm/policy/:name', () => {
      this.ilmPresent = true;
      return { acknowledged: true };
    });
    route('GET', '/_index_template/:name', (request) =>
      this.templateVersion === undefined
        ? notFound('resource_not_found_exception')
        : { index_templates: [{ name: nameOf(request), index_template: { index_patterns: [nameOf(request)], composed_of: [], version: this.templateVersion } }] },
    );
    route('PUT', '/_index_template/:name', (request) => {
      this.templateVersion = (request.body as { version: number }).version;
      return { acknowledged: true };
    });
    route('GET', '/_data_stream/:name', (request) =>
      this.dataStreams.has(nameOf(request)) ? { data_streams: [{ name: nameOf(request) }] } : notFound('index_not_found_exception'),
    );
    route('PUT', '/_data_stream/:name', (request) => {
      this.addDataStream(nameOf(request));
      return { acknowledged: true };
    });
    route('HEAD', '/:index', (request) => (this.indices.has(request.path.slice(1)) ? '' : notFound('index_not_found_exception')));
    route('PUT', '/:index', (request) => {
      this.indices.set(request.path.slice(1), new Map());
      return { acknowledged: true, shards_acknowledged: true, index: request.path.slice(1) };
    });
    route('POST', '/_bulk', (request) => {
      const failure = this.outages.shift();
      if (failure !== undefined) return this.failure(failure);
      return this.bulk(request.body as Json[]);
    });
    route(['GET', 'POST'], '/:index/_search', (request) => this.search(request.path.split('/')[1], request));
    route(['GET', 'POST'], '/_search', (request) => this.search(undefined, request));
    route('POST', '/:index/_pit', (request) => {
      this.pits += 1;
      return { id: `pit-${request.path.split('/')[1]}-${this.pits}` };
    });
    route('DELETE', '/_pit', () => ({ succeeded: true, num_freed: 1 }));
  }

  client(): Client {
    return new Client({ node: 'http://localhost:9200', Connection: this.mock.getConnection(), maxRetries: 0 });
  }

  addDataStream(name: string): void {
    this.dataStreams.add(name);
    if (!this.backing.has(name)) this.backing.set(name, [new Map()]);
  }

  /** A new write index: `create` no longer sees the documents before it. */
  rollover(dataStream: string): void {
    this.backing.get(dataStream)?.push(new Map());
  }

  /** Every stored document of an index or data stream (all backing indices), in insertion order. */
  stored(index: string): StoredHit[] {
    const maps = this.backing.get(index) ?? (this.indices.has(index) ? [this.indices.get(index)!] : []);
    return maps.flatMap((map) => [...map.values()]).sort((a, b) => a.order - b.order);
  }

  get bulkRequests(): Json[][] {
    return this.requests.filter((r) => r.path === '/_bulk').map((r) => r.body as Json[]);
  }

  get searchRequests(): SeenRequest[] {
    return this.requests.filter((r) => r.path.endsWith('/_search'));
  }

  /** Ids of every create operation sent, in order, across all bulk requests. */
  get createdIdsSent(): string[] {
    return this.bulkRequests.flatMap((lines) => lines.filter((_, i) => i % 2 === 0).map((line) => (line['create'] as { _id: string })._id));
  }

  /** Stores documents directly, as if indexed earlier (in the current write index). */
  seed(index: string, documents: readonly { id: string; source: object }[]): void {
    for (const { id, source } of documents) this.store(index, id, source as Json);
  }

  private failure(outage: Outage): unknown {
    return 'status' in outage ? responseError(outage.status) : new errors.ConnectionError('connect ECONNREFUSED 127.0.0.1:9200');
  }

  private writeIndexOf(index: string): { name: string; map: Map<string, StoredHit> } | undefined {
    const backing = this.backing.get(index);
    if (backing !== undefined) return { name: `.ds-${index}-2026.01.01-${String(backing.length).padStart(6, '0')}`, map: backing[backing.length - 1] };
    const plain = this.indices.get(index);
    return plain === undefined ? undefined : { name: index, map: plain };
  }

  private store(index: string, id: string, source: Json): number {
    const target = this.writeIndexOf(index);
    if (target === undefined) return 404;
    if (target.map.has(id)) return 409;
    target.map.set(id, { _index: target.name, _id: id, _source: source, order: this.order++ });
    return 201;
  }

  private bulk(lines: Json[]): object {
    const items: object[] = [];
    for (let i = 0; i < lines.length; i += 2) {
      const action = lines[i]['create'] as { _index: string; _id: string };
      const status = this.itemStatuses.get(action._id)?.shift() ?? this.store(action._index, action._id, lines[i + 1]);
      const item: Json = { _index: action._index, _id: action._id, status };
      if (status >= 400) item['error'] = { type: status === 409 ? 'version_conflict_engine_exception' : status === 400 ? 'document_parsing_exception' : 'es_rejected_execution_exception', reason: `scripted ${status}` };
      else item['result'] = 'created';
      items.push({ create: item });
    }
    return { errors: items.some((item) => (item as { create: { status: number } }).create.status >= 300), took: 1, items };
  }

  private search(index: string | undefined, request: SeenRequest): unknown {
    const body = (request.body ?? {}) as Json;
    const pit = body['pit'] as { id: string } | undefined;
    const target = index ?? (pit === undefined ? undefined : pit.id.split('-').slice(1, -1).join('-'));
    if (target === undefined || (!this.backing.has(target) && !this.indices.has(target))) return responseError(404, { error: { type: 'index_not_found_exception', reason: 'no such index' }, status: 404 });
    if (body['aggs'] !== undefined) {
      if (this.onAggregation === undefined) throw new Error('fake Elasticsearch: no aggregation scripted');
      return this.onAggregation(request);
    }
    const query = (body['query'] as Query | undefined) ?? { match_all: {} };
    const sort = ((body['sort'] as Json[] | undefined) ?? []).map((entry) => Object.entries(entry)[0] as [string, string]);
    const fields = sort.map(([field]) => field);
    const orders = sort.map(([, order]) => order);
    const sortValues = (hit: StoredHit): unknown[] =>
      fields.map((field) => (field === '_shard_doc' ? hit.order : comparable(valuesAt(hit._source, hit, field)[0])));
    let hits = this.stored(target).filter((hit) => matches(query, hit));
    const total = hits.length;
    hits.sort((a, b) => compare(sortValues(a), sortValues(b), orders));
    const after = body['search_after'] as unknown[] | undefined;
    if (after !== undefined) hits = hits.filter((hit) => compare(sortValues(hit), after, orders) > 0);
    const size = (body['size'] as number | undefined) ?? 10;
    const sourceSpec = body['_source'];
    const answer: Json = {
      took: 1,
      timed_out: false,
      hits: {
        total: { value: total, relation: 'eq' },
        hits: hits.slice(0, size).map((hit) => {
          const out: Json = { _index: hit._index, _id: hit._id };
          if (sourceSpec === undefined || sourceSpec === true) out['_source'] = hit._source;
          else if (Array.isArray(sourceSpec)) out['_source'] = pick(hit._source, sourceSpec as string[]);
          if (fields.length > 0) out['sort'] = sortValues(hit);
          return out;
        }),
      },
    };
    if (pit !== undefined) answer['pit_id'] = `${pit.id}+`;
    return answer;
  }
}

function pick(source: Json, paths: readonly string[]): Json {
  const out: Json = {};
  for (const path of paths) {
    const keys = path.split('.');
    let from: unknown = source;
    for (const key of keys) from = from !== null && typeof from === 'object' ? (from as Json)[key] : undefined;
    if (from === undefined) continue;
    let into = out;
    keys.slice(0, -1).forEach((key) => (into = (into[key] ??= {}) as Json));
    into[keys[keys.length - 1]] = from;
  }
  return out;
}

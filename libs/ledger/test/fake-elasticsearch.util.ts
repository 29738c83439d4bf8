import { Client, errors } from '@elastic/elasticsearch';
import Mock from '@elastic/elasticsearch-mock';

export interface SeenRequest {
  method: string;
  path: string;
  querystring: Record<string, string>;
  body: unknown;
}

type BulkLine = Record<string, unknown>;

/** What the next bulk request meets: a whole-request failure, or per-item statuses by transaction id. */
export type Outage = { status: number } | { connectionError: true };

export function responseError(statusCode: number, body: object = { error: { type: 'unavailable', reason: 'scripted' }, status: statusCode }): errors.ResponseError {
  return new errors.ResponseError({ body, statusCode, headers: {}, warnings: null, meta: {} as never });
}

/**
 * Elasticsearch as far as the ledger sees it, on @elastic/elasticsearch-mock: it records every
 * request exactly as the real client sent it, keeps created documents by id (so a second create is a
 * 409, as in a real data stream), and can be taken down or made to fail chosen items.
 */
export class FakeElasticsearch {
  readonly mock = new Mock();
  readonly requests: SeenRequest[] = [];
  readonly documents = new Map<string, unknown>();
  /** Whole-request failures to answer, one per bulk request, before answering normally. */
  readonly outages: Outage[] = [];
  /** While set, every bulk request fails this way. */
  down?: Outage;
  /** Per transaction id, statuses its next creates answer (then 201). */
  readonly itemStatuses = new Map<string, number[]>();
  ilmPresent = false;
  templatePresent = false;

  constructor() {
    const seen = (params: { method: string; path: string; querystring?: Record<string, string>; body?: unknown }) => {
      this.requests.push({ method: params.method, path: params.path, querystring: { ...(params.querystring ?? {}) }, body: params.body ?? null });
    };
    this.mock.add({ method: 'GET', path: '/_ilm/policy/:name' }, (params) => {
      seen(params as never);
      return this.ilmPresent ? { [String(params.path).split('/').pop()!]: { version: 1, policy: {} } } : responseError(404, { error: 'not found', status: 404 });
    });
    this.mock.add({ method: 'PUT', path: '/_ilm/policy/:name' }, (params) => {
      seen(params as never);
      this.ilmPresent = true;
      return { acknowledged: true };
    });
    this.mock.add({ method: 'GET', path: '/_index_template/:name' }, (params) => {
      seen(params as never);
      return this.templatePresent
        ? { index_templates: [{ name: 'lgsp-transactions', index_template: { index_patterns: ['lgsp-transactions'], composed_of: [], version: 1 } }] }
        : responseError(404, { error: { type: 'resource_not_found_exception', reason: 'index template matching [x] not found' }, status: 404 });
    });
    this.mock.add({ method: 'PUT', path: '/_index_template/:name' }, (params) => {
      seen(params as never);
      this.templatePresent = true;
      return { acknowledged: true };
    });
    this.mock.add({ method: 'POST', path: '/_bulk' }, (params) => {
      seen(params as never);
      const failure = this.down ?? this.outages.shift();
      if (failure !== undefined) return 'status' in failure ? responseError(failure.status) : new errors.ConnectionError('connect ECONNREFUSED 127.0.0.1:9200');
      return this.bulk(params.body as BulkLine[]);
    });
  }

  client(): Client {
    return new Client({ node: 'http://localhost:9200', Connection: this.mock.getConnection() });
  }

  get bulkRequests(): BulkLine[][] {
    return this.requests.filter((r) => r.path === '/_bulk').map((r) => r.body as BulkLine[]);
  }

  /** Transaction ids of every create operation sent, in order, across all bulk requests. */
  get createdIdsSent(): string[] {
    return this.bulkRequests.flatMap((lines) => lines.filter((_, i) => i % 2 === 0).map((line) => (line['create'] as { _id: string })._id));
  }

  private bulk(lines: BulkLine[]): object {
    const items: object[] = [];
    for (let i = 0; i < lines.length; i += 2) {
      const action = lines[i]['create'] as { _index: string; _id: string };
      const scripted = this.itemStatuses.get(action._id)?.shift();
      let status: number;
      if (scripted !== undefined) status = scripted;
      else if (this.documents.has(action._id)) status = 409;
      else {
        this.documents.set(action._id, lines[i + 1]);
        status = 201;
      }
      const item: Record<string, unknown> = { _index: `.ds-${action._index}-2025.01.01-000001`, _id: action._id, status };
      if (status >= 400) item['error'] = { type: status === 409 ? 'version_conflict_engine_exception' : status === 400 ? 'document_parsing_exception' : 'es_rejected_execution_exception', reason: `scripted ${status}` };
      else item['result'] = 'created';
      items.push({ create: item });
    }
    return { errors: items.some((item) => (item as { create: { status: number } }).create.status >= 300), took: 1, items };
  }
}

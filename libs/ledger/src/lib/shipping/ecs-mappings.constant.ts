import type { estypes } from '@elastic/elasticsearch';

const keyword = { type: 'keyword' } as const;
const long = { type: 'long' } as const;
const date = { type: 'date' } as const;
const boolean = { type: 'boolean' } as const;
/** Header-borne values of unbounded length: kept in _source, indexed only when Lucene can take them. */
const longKeyword = { type: 'keyword', ignore_above: 8191 } as const;

/**
 * The data stream's explicit mappings. `dynamic: strict`: the ledger is an audit record whose shape
 * this library owns (`ecsDocumentOf`), so a field nobody mapped is refused rather than silently
 * stored — nothing unplanned (a body, a header) can ever reach the index, and a drift between the
 * document and the mapping shows up as a rejected (dead-lettered, replayable) record, never as a
 * loss. `client.ip` ignores a malformed address rather than refusing the record; `client.address`
 * keeps the raw value.
 */
export const TRANSACTION_MAPPINGS: estypes.MappingTypeMapping = {
  dynamic: 'strict',
  properties: {
    '@timestamp': date,
    ecs: { properties: { version: keyword } },
    event: {
      properties: {
        id: keyword,
        kind: keyword,
        category: keyword,
        type: keyword,
        outcome: keyword,
        duration: long,
        dataset: keyword,
      },
    },
    transaction: { properties: { id: keyword } },
    trace: { properties: { id: keyword } },
    service: { properties: { name: keyword } },
    client: { properties: { ip: { type: 'ip', ignore_malformed: true }, address: keyword } },
    http: {
      properties: {
        request: { properties: { id: keyword, method: keyword, bytes: long } },
        response: { properties: { status_code: long, bytes: long } },
      },
    },
    url: { properties: { path: { type: 'wildcard' } } },
    error: { properties: { code: keyword } },
    lgsp: {
      properties: {
        consumer: { properties: { id: keyword } },
        client: { properties: { id: keyword } },
        api: { properties: { id: keyword, domain: keyword, version: keyword } },
        provider: { properties: { id: keyword } },
        route: { properties: { template: keyword } },
        classification: keyword,
        zone: keyword,
        environment: keyword,
        upstream: { properties: { started_at: date, ended_at: date, duration: long } },
        throttle: { properties: { limit: keyword, quota: long, remaining: long, admitted: boolean, local: boolean } },
        signature: {
          properties: {
            keyid: keyword,
            label: keyword,
            input: longKeyword,
            value: longKeyword,
            digests: { properties: { 'sha-256': keyword, 'sha-512': keyword } },
            created: date,
            alg: keyword,
            certificate_fingerprint: keyword,
            verified: boolean,
          },
        },
        security_event: keyword,
        chain: { properties: { partition: keyword, seq: long, prev_hash: keyword, hash: keyword } },
      },
    },
  },
};

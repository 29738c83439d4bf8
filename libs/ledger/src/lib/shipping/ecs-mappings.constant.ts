import type { estypes } from '@elastic/elasticsearch';

const keyword = { type: 'keyword' } as const;
const long = { type: 'long' } as const;
const date = { type: 'date' } as const;

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
        api: { properties: { domain: keyword, version: keyword } },
        environment: keyword,
        upstream: { properties: { started_at: date, duration: long } },
        security_event: keyword,
        chain: { properties: { partition: keyword, seq: long, prev_hash: keyword, hash: keyword } },
      },
    },
  },
};

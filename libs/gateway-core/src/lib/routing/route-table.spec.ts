import type { FastifyReply } from 'fastify';

import { apiVersion, block, tableOf } from '../../../test/registry-view.util';
import { applyLifecycleHeaders, deprecationField, lifecycleHeadersOf, sunsetField } from './lifecycle-headers.util';
import { blockInEffect } from './route-block';
import { RouteTable, upstreamTargetOf } from './route-table';

const NOW = Date.parse('2026-11-23T08:00:00Z');

describe('RouteTable.build', () => {
  it('routes every version but drafts, with upstream targets, and is empty before the first snapshot', () => {
    const table = tableOf({
      apiVersions: [
        apiVersion('persons', { upstreams: { sandbox: 'http://127.0.0.1:9100/base/', production: 'https://p.example.gov.vn' }, readTimeoutMs: 500, writeTimeoutMs: null }),
        apiVersion('persons', { version: 'v2', status: 'draft' }),
        apiVersion('land', { status: 'retired' }),
      ],
    });
    expect(table.size).toBe(2);
    expect(table.lookup('v1', 'persons')).toMatchObject({
      upstreams: { sandbox: { origin: 'http://127.0.0.1:9100', basePath: '/base' }, production: { origin: 'https://p.example.gov.vn', basePath: '' } },
      readTimeoutMs: 500,
      writeTimeoutMs: undefined,
      label: '/v1/persons',
    });
    expect(table.lookup('v2', 'persons')).toBeUndefined();
    expect(table.origins()).toEqual(new Set(['http://127.0.0.1:9100', 'https://p.example.gov.vn', 'https://provider.example.gov.vn']));
    expect(RouteTable.empty().size).toBe(0);
    expect(() => upstreamTargetOf('ftp://x')).toThrow(/only http and https/);
  });

  it('compiles the operations of REST versions once; SOAP and retired versions have none', () => {
    const table = tableOf({ apiVersions: [apiVersion('persons'), apiVersion('land', { kind: 'soap', openapi: null }), apiVersion('old', { status: 'retired' })] });
    expect(table.lookup('v1', 'persons')?.operations?.match('GET', '/persons/7')).toMatchObject({ key: 'GET /persons/{id}' });
    expect(table.lookup('v1', 'land')?.operations).toBeUndefined();
    expect(table.lookup('v1', 'old')?.operations).toBeUndefined();
    expect(table.problems).toEqual([]);
  });

  it('reports a REST version without a document once, and serves nothing of it', () => {
    const table = tableOf({ apiVersions: [apiVersion('persons', { openapi: null })] });
    expect(table.lookup('v1', 'persons')?.operations?.match('GET', '/persons')).toBeUndefined();
    expect(table.problems).toEqual(['persons v1: a REST version without an OpenAPI document serves no operation']);
  });

  it('indexes consumer statuses and subscriptions per consumer, version and environment', () => {
    const table = tableOf({
      consumers: [
        { id: 'a', status: 'active' },
        { id: 'b', status: 'suspended' },
      ],
      subscriptions: [
        { consumerId: 'a', apiVersionId: 'v-1', environment: 'sandbox' },
        { consumerId: 'a', apiVersionId: 'v-1', environment: 'production' },
        { consumerId: 'a', apiVersionId: 'v-2', environment: 'production' },
        { consumerId: 'c', apiVersionId: 'v-1', environment: 'sandbox' },
      ],
    });
    expect(table.consumer('a')?.status).toBe('active');
    expect(table.consumer('a')?.subscriptions).toEqual(
      new Map([
        ['v-1', new Set(['sandbox', 'production'])],
        ['v-2', new Set(['production'])],
      ]),
    );
    expect(table.consumer('b')).toEqual({ status: 'suspended', subscriptions: new Map() });
    expect(table.consumer('c')).toBeUndefined();
  });

  it('gives each route the kill switches that concern it: its provider, itself, its operations', () => {
    const table = tableOf({
      apiVersions: [apiVersion('persons', { provider: 'bca' }), apiVersion('vehicles', { provider: 'bca' }), apiVersion('land', { provider: 'btnmt' }), apiVersion('orphan')],
      blocks: [
        block('provider', { provider: 'bca' }, { startsAt: NOW }),
        block('api-version', { apiVersionId: 'vehicles-v1' }, { startsAt: NOW, endsAt: NOW + 1000 }),
        block('operation', { apiVersionId: 'land-v1', operation: 'GET /persons' }, { startsAt: NOW }),
        block('api-version', { apiVersionId: 'gone-v1' }, { startsAt: NOW }),
      ],
    });
    expect(table.lookup('v1', 'persons')?.blocks?.map((b) => b.detail)).toEqual([expect.stringMatching(/^persons v1 \(provider bca\) is blocked/)]);
    expect(table.lookup('v1', 'vehicles')?.blocks).toHaveLength(2);
    expect(table.lookup('v1', 'land')?.blocks).toBeUndefined();
    expect([...(table.lookup('v1', 'land')?.operationBlocks?.keys() ?? [])]).toEqual(['GET /persons']);
    expect(table.lookup('v1', 'orphan')).toMatchObject({ blocks: undefined, operationBlocks: undefined });
  });
});

describe('blockInEffect', () => {
  const table = tableOf({
    apiVersions: [apiVersion('persons')],
    blocks: [block('api-version', { apiVersionId: 'persons-v1' }, { startsAt: NOW, endsAt: NOW + 1000 })],
  });
  const blocks = table.lookup('v1', 'persons')?.blocks;

  it('holds from its start, inclusive, to its end, exclusive', () => {
    expect(blockInEffect(blocks, NOW - 1)).toBeUndefined();
    expect(blockInEffect(blocks, NOW)).toMatchObject({ startsAt: NOW, endsAt: NOW + 1000 });
    expect(blockInEffect(blocks, NOW + 999)).toBeDefined();
    expect(blockInEffect(blocks, NOW + 1000)).toBeUndefined();
    expect(blockInEffect(undefined, NOW)).toBeUndefined();
  });

  it('fails closed on a window it cannot read', () => {
    const broken = tableOf({ apiVersions: [apiVersion('persons')], blocks: [{ ...block('api-version', { apiVersionId: 'persons-v1' }, { startsAt: NOW }), startsAt: 'soon' }] });
    expect(blockInEffect(broken.lookup('v1', 'persons')?.blocks, 0)).toMatchObject({ startsAt: -Infinity, endsAt: Infinity });
  });
});

describe('lifecycle headers', () => {
  it('writes RFC 9745 Deprecation as a structured date', () => {
    expect(deprecationField('2026-10-01T03:15:42.900Z')).toBe(`@${Math.floor(Date.parse('2026-10-01T03:15:42.900Z') / 1000)}`);
    expect(deprecationField('yesterday')).toBeUndefined();
  });

  it('writes RFC 8594 Sunset as the HTTP-date of 00:00 in Việt Nam on the sunset day', () => {
    expect(sunsetField('2027-06-30')).toBe('Tue, 29 Jun 2027 17:00:00 GMT');
    expect(sunsetField('2027-01-01')).toBe('Thu, 31 Dec 2026 17:00:00 GMT');
    expect(sunsetField('30/06/2027')).toBeUndefined();
  });

  it('links the successor on the public URL, and says nothing it does not know', () => {
    expect(lifecycleHeadersOf({ successor: '/v2/documents' }, 'https://api.lgsp.gov.vn')).toEqual([['link', '<https://api.lgsp.gov.vn/v2/documents>; rel="successor-version"']]);
    expect(lifecycleHeadersOf({}, 'https://api.lgsp.gov.vn')).toBeUndefined();
  });

  it("speaks for the version over the provider, keeping the provider's own links beside the successor's", () => {
    const fields = lifecycleHeadersOf({ deprecatedAt: '2026-10-01T00:00:00Z', sunset: '2027-06-30', successor: '/v2/documents' }, 'https://api.lgsp.gov.vn')!;
    const set = new Map<string, string>([['deprecation', '@1'], ['sunset', 'Thu, 01 Jan 2099 00:00:00 GMT']]);
    const reply = { header: (name: string, value: string) => set.set(name, value) } as unknown as FastifyReply;
    applyLifecycleHeaders(reply, fields, ['</documents?page=2>; rel="next"', '</documents?page=9>; rel="last"']);
    expect(Object.fromEntries(set)).toEqual({
      deprecation: '@1790812800',
      sunset: 'Tue, 29 Jun 2027 17:00:00 GMT',
      link: '</documents?page=2>; rel="next", </documents?page=9>; rel="last", <https://api.lgsp.gov.vn/v2/documents>; rel="successor-version"',
    });
    applyLifecycleHeaders(reply, fields, '</documents?page=3>; rel="next"');
    expect(set.get('link')).toBe('</documents?page=3>; rel="next", <https://api.lgsp.gov.vn/v2/documents>; rel="successor-version"');
  });
});

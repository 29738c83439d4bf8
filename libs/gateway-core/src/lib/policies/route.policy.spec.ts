import { ErrorCode, LgspError } from '@lgsp/contracts';

import { PERSONS_API, apiVersion, block, callOf, openApiDocument, tableOf } from '../../../test/registry-view.util';
import type { GatewayPolicyHandler, PolicyDependencies } from '../chain/gateway-policy.type';
import { PolicyChain } from '../chain/policy-chain';
import type { RouteTable } from '../routing/route-table';
import { routePolicy } from './route.policy';

const NOW = Date.parse('2026-11-23T08:00:00Z');
const MINUTE = 60_000;

describe('route policy', () => {
  let now: number;
  let routes: { table: RouteTable };
  let handler: GatewayPolicyHandler;

  beforeEach(() => {
    now = NOW;
    routes = { table: tableOf({}) };
    handler = routePolicy.create({}, { routes, clock: () => now } as unknown as PolicyDependencies);
  });

  function route(method: string, path: string) {
    const call = callOf(method, path);
    const result = handler.handle(call.context) as LgspError | undefined;
    return { ...call, result };
  }

  function expectRefusal(result: LgspError | undefined, code: ErrorCode, detail?: RegExp | string): LgspError {
    expect(result).toBeInstanceOf(LgspError);
    expect(result!.code).toBe(code);
    if (detail !== undefined) expect(result!.detail).toEqual(typeof detail === 'string' ? detail : expect.stringMatching(detail));
    return result!;
  }

  it('has no settings', () => {
    expect(routePolicy.configSchema.properties).toEqual({});
    expect(() => PolicyChain.build([routePolicy], { route: { strict: true } }, { routes } as unknown as PolicyDependencies)).toThrow(/policy route/);
  });

  describe('REST operations', () => {
    beforeEach(() => {
      routes.table = tableOf({ apiVersions: [apiVersion('persons', { provider: 'bo-cong-an' })] });
    });

    it('finds the version, then the operation by method and path template', () => {
      const { context, result, headers } = route('GET', '/v1/persons/persons/42');
      expect(result).toBeUndefined();
      expect(context).toMatchObject({ apiVersion: 'v1', apiDomain: 'persons', resourcePath: '/persons/42' });
      expect(context.route).toMatchObject({ apiVersionId: 'persons-v1', provider: 'bo-cong-an', kind: 'rest' });
      expect(context.operation).toMatchObject({ method: 'GET', path: '/persons/{id}', key: 'GET /persons/{id}', classification: 'noi-bo' });
      expect(context.request.metricsRoute).toBe('/v1/persons');
      expect(headers.size).toBe(0);
    });

    it("carries the operation's own classification, and HEAD falls back to GET", () => {
      expect(route('GET', '/v1/persons/persons/42/dossier').context.operation).toMatchObject({ key: 'GET /persons/{id}/dossier', classification: 'mat' });
      expect(route('HEAD', '/v1/persons/persons').context.operation).toMatchObject({ key: 'GET /persons' });
      expect(route('POST', '/v1/persons/persons').context.operation).toMatchObject({ key: 'POST /persons' });
    });

    it.each([
      ['PUT', '/v1/persons/persons/42'],
      ['GET', '/v1/persons/people'],
      ['GET', '/v1/persons/persons/42/dossier/pages'],
      ['DELETE', '/v1/persons/persons'],
    ])('answers %s %s, which the document does not describe, with 404 not_found naming method and path', (method, path) => {
      const { context, result } = route(method, path);
      expectRefusal(result, ErrorCode.NotFound, `${method} ${path} is not an operation of persons v1`);
      expect(context.route).toBeDefined();
      expect(context.operation).toBeUndefined();
    });

    it('answers 404 for an API or version that is not published, drafts included', () => {
      routes.table = tableOf({ apiVersions: [apiVersion('persons'), apiVersion('persons', { version: 'v2', status: 'draft' })] });
      expectRefusal(route('GET', '/v2/persons/persons').result, ErrorCode.NotFound, 'No API persons v2 is published');
      expectRefusal(route('GET', '/v1/vehicles/persons').result, ErrorCode.NotFound, 'No API vehicles v1 is published');
      expectRefusal(route('GET', '/persons').result, ErrorCode.NotFound);
    });

    it('serves none of the operations of a version whose document cannot be read, nor a faulty or Tuyệt mật operation', () => {
      routes.table = tableOf({
        apiVersions: [
          apiVersion('broken', { openapi: { openapi: '3.0.3', paths: 'not an object' } }),
          apiVersion('partly', {
            openapi: openApiDocument({
              '/good': { get: {} },
              '/bad': { get: { 'x-lgsp-classification': 'very-secret' } },
              '/secret': { get: { 'x-lgsp-classification': 'tuyet-mat' } },
            }),
          }),
        ],
      });
      expectRefusal(route('GET', '/v1/broken/persons').result, ErrorCode.NotFound);
      expect(route('GET', '/v1/partly/good').result).toBeUndefined();
      expectRefusal(route('GET', '/v1/partly/bad').result, ErrorCode.NotFound);
      expectRefusal(route('GET', '/v1/partly/secret').result, ErrorCode.NotFound);
      // Said once, when the table is built.
      expect(routes.table.problems).toEqual([
        'broken v1: the OpenAPI document describes no operation the gateway can serve',
        expect.stringMatching(/^partly v1: \/paths\/~1bad\/get\/x-lgsp-classification: x-lgsp-classification must be one of/),
        expect.stringMatching(/^partly v1: \/paths\/~1secret\/get\/x-lgsp-classification: GET \/secret is classified tuyet-mat/),
      ]);
    });
  });

  it('matches no operation on a SOAP version: the whole service is routed', () => {
    routes.table = tableOf({ apiVersions: [apiVersion('land', { kind: 'soap', openapi: null, soapReadActions: ['urn:GetParcel'] })] });
    const { context, result } = route('POST', '/v1/land/LandService.svc');
    expect(result).toBeUndefined();
    expect(context.route).toMatchObject({ kind: 'soap', operations: undefined });
    expect(context.operation).toBeUndefined();
  });

  describe('lifecycle', () => {
    it('answers a retired version with 410 api_retired naming its successor, whatever the operation', () => {
      routes.table = tableOf({
        apiVersions: [
          apiVersion('documents', { status: 'retired', successor: '/v2/documents' }),
          apiVersion('documents', { version: 'v2' }),
          apiVersion('archive', { status: 'retired' }),
        ],
      });
      const first = expectRefusal(route('GET', '/v1/documents/persons/1').result, ErrorCode.ApiRetired, 'documents v1 is retired; its successor is /v2/documents');
      expect(first.status).toBe(410);
      expect(route('GET', '/v1/documents/no/such/operation').result).toBe(first);
      expectRefusal(route('GET', '/v1/archive/persons').result, ErrorCode.ApiRetired, 'archive v1 is retired');
      expect(route('GET', '/v2/documents/persons/1').result).toBeUndefined();
    });

    it("puts a deprecated version's Deprecation, Sunset and successor Link on answers and on refusals after routing", () => {
      routes.table = tableOf({
        apiVersions: [
          apiVersion('documents', { status: 'deprecated', deprecatedAt: '2026-10-01T03:15:00.000Z', sunset: '2027-06-30', successor: '/v2/documents' }),
          apiVersion('documents', { version: 'v2' }),
        ],
      });
      const expected = new Map([
        ['deprecation', `@${Date.parse('2026-10-01T03:15:00Z') / 1000}`],
        ['sunset', 'Tue, 29 Jun 2027 17:00:00 GMT'],
        ['link', '<https://api.lgsp.example.gov.vn/v2/documents>; rel="successor-version"'],
      ]);
      const served = route('GET', '/v1/documents/persons');
      expect(served.result).toBeUndefined();
      expect(served.headers).toEqual(expected);
      const refused = route('GET', '/v1/documents/unknown');
      expectRefusal(refused.result, ErrorCode.NotFound);
      expect(refused.headers).toEqual(expected);
      expect(route('GET', '/v2/documents/persons').headers.size).toBe(0);
    });

    it('leaves out what the registry does not hold rather than guess it', () => {
      routes.table = tableOf({ apiVersions: [apiVersion('documents', { status: 'deprecated' })] });
      expect(route('GET', '/v1/documents/persons').headers.size).toBe(0);
      routes.table = tableOf({ apiVersions: [apiVersion('documents', { status: 'deprecated', sunset: '2027-01-01' })] });
      expect(route('GET', '/v1/documents/persons').headers).toEqual(new Map([['sunset', 'Thu, 31 Dec 2026 17:00:00 GMT']]));
    });
  });

  describe('kill switches', () => {
    const versions = [
      apiVersion('persons', { provider: 'bo-cong-an' }),
      apiVersion('vehicles', { provider: 'bo-cong-an' }),
      apiVersion('land', { provider: 'bo-tai-nguyen' }),
    ];

    it('blocks a version during a maintenance window, with Retry-After until its end, and serves before and after it', () => {
      routes.table = tableOf({ apiVersions: versions, blocks: [block('api-version', { apiVersionId: 'persons-v1' }, { startsAt: NOW, endsAt: NOW + 10 * MINUTE })] });
      now = NOW - 1;
      expect(route('GET', '/v1/persons/persons').result).toBeUndefined();
      now = NOW;
      const refusal = expectRefusal(route('GET', '/v1/persons/persons').result, ErrorCode.ApiBlocked, /^persons v1 is blocked by the platform operator until 2026-11-23T08:10:00.000Z: Bảo trì hệ thống$/);
      expect(refusal.status).toBe(503);
      expect(refusal.headers).toEqual({ 'retry-after': '600' });
      // The same second answers with the same refusal; the next with its own count.
      now = NOW + 200;
      expect(route('GET', '/v1/persons/persons/1').result).toBe(refusal);
      now = NOW + 9 * MINUTE + 59_500;
      expect(expectRefusal(route('GET', '/v1/persons/persons').result, ErrorCode.ApiBlocked).headers).toEqual({ 'retry-after': '1' });
      now = NOW + 10 * MINUTE;
      expect(route('GET', '/v1/persons/persons').result).toBeUndefined();
      expect(route('GET', '/v1/vehicles/persons').result).toBeUndefined();
    });

    it('blocks until lifted, without Retry-After, even paths no operation serves', () => {
      routes.table = tableOf({ apiVersions: versions, blocks: [block('api-version', { apiVersionId: 'persons-v1' }, { startsAt: NOW - MINUTE }, 'Nghi vấn lộ lọt dữ liệu')] });
      const refusal = expectRefusal(route('GET', '/v1/persons/nowhere').result, ErrorCode.ApiBlocked, 'persons v1 is blocked by the platform operator: Nghi vấn lộ lọt dữ liệu');
      expect(refusal.headers).toBeUndefined();
    });

    it("blocks every version of a provider and none of another's", () => {
      routes.table = tableOf({ apiVersions: versions, blocks: [block('provider', { provider: 'bo-cong-an' }, { startsAt: NOW - MINUTE })] });
      expectRefusal(route('GET', '/v1/persons/persons').result, ErrorCode.ApiBlocked, /^persons v1 \(provider bo-cong-an\) is blocked/);
      expectRefusal(route('GET', '/v1/vehicles/persons').result, ErrorCode.ApiBlocked, /^vehicles v1 \(provider bo-cong-an\) is blocked/);
      expect(route('GET', '/v1/land/persons').result).toBeUndefined();
    });

    it('blocks one operation only, HEAD with its GET', () => {
      routes.table = tableOf({
        apiVersions: versions,
        blocks: [block('operation', { apiVersionId: 'persons-v1', operation: 'GET /persons/{id}' }, { startsAt: NOW - MINUTE, endsAt: NOW + 90_500 }, 'Lỗi dữ liệu')],
      });
      const refusal = expectRefusal(route('GET', '/v1/persons/persons/42').result, ErrorCode.ApiBlocked, /^GET \/persons\/\{id\} of persons v1 is blocked by the platform operator until .*: Lỗi dữ liệu$/);
      expect(refusal.headers).toEqual({ 'retry-after': '91' });
      expectRefusal(route('HEAD', '/v1/persons/persons/42').result, ErrorCode.ApiBlocked);
      expect(route('DELETE', '/v1/persons/persons/42').result).toBeUndefined();
      expect(route('GET', '/v1/persons/persons').result).toBeUndefined();
      expect(route('GET', '/v1/vehicles/persons/42').result).toBeUndefined();
    });

    it('when several are in effect, says the one that lasts longest', () => {
      routes.table = tableOf({
        apiVersions: versions,
        blocks: [
          block('api-version', { apiVersionId: 'persons-v1' }, { startsAt: NOW - MINUTE, endsAt: NOW + MINUTE }, 'short'),
          block('provider', { provider: 'bo-cong-an' }, { startsAt: NOW - MINUTE, endsAt: NOW + 5 * MINUTE }, 'long'),
          block('api-version', { apiVersionId: 'persons-v1' }, { startsAt: NOW + MINUTE, endsAt: NOW + 60 * MINUTE }, 'later'),
        ],
      });
      const refusal = expectRefusal(route('GET', '/v1/persons/persons').result, ErrorCode.ApiBlocked, /: long$/);
      expect(refusal.headers).toEqual({ 'retry-after': '300' });
    });
  });

  it('reads the table the registry last built: a swap applies to the next request', () => {
    routes.table = tableOf({ apiVersions: [apiVersion('persons')] });
    expect(route('GET', '/v1/persons/persons').result).toBeUndefined();
    routes.table = tableOf({ apiVersions: [apiVersion('persons', { openapi: openApiDocument({ '/people': { get: {} } }) })] });
    expectRefusal(route('GET', '/v1/persons/persons').result, ErrorCode.NotFound);
    expect(route('GET', '/v1/persons/people').result).toBeUndefined();
    routes.table = tableOf({ apiVersions: [apiVersion('persons', { openapi: PERSONS_API })], blocks: [block('api-version', { apiVersionId: 'persons-v1' }, { startsAt: NOW })] });
    expectRefusal(route('GET', '/v1/persons/persons').result, ErrorCode.ApiBlocked);
  });
});

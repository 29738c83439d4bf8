import { parseAddressList } from '@lgsp/config';
import type { Classification, Environment } from '@lgsp/contracts';
import { ErrorCode, LgspError } from '@lgsp/contracts';
import type { OpenApiOperation } from '@lgsp/openapi';

import { apiVersion, callOf, tableOf } from '../../../test/registry-view.util';
import type { GatewayPolicyHandler, PolicyDependencies } from '../chain/gateway-policy.type';
import { PolicyChain } from '../chain/policy-chain';
import { GatewayNetwork } from '../network/gateway-network';
import type { RegistryConsumer, RegistrySubscription } from '../routing/consumer-access';
import type { RouteTable } from '../routing/route-table';
import { authorizePolicy } from './authorize.policy';

const VERSIONS = [
  apiVersion('persons'),
  apiVersion('land', { kind: 'soap', openapi: null, classification: 'noi-bo' }),
  apiVersion('cadres', { kind: 'soap', openapi: null, classification: 'mat' }),
];

const CONSUMERS: RegistryConsumer[] = [
  { id: 'tu-ha-noi.qlcb', status: 'active' },
  { id: 'hung-yen.qlvb', status: 'active' },
  { id: 'bo-noi-vu.hrm', status: 'suspended' },
  { id: 'so-tu-phap.hcm', status: 'terminated' },
];

const SUBSCRIPTIONS: RegistrySubscription[] = [
  ...['persons-v1', 'land-v1', 'cadres-v1'].flatMap((apiVersionId) =>
    (['sandbox', 'production'] as const).map((environment) => ({ consumerId: 'tu-ha-noi.qlcb', apiVersionId, environment })),
  ),
  { consumerId: 'hung-yen.qlvb', apiVersionId: 'persons-v1', environment: 'sandbox' },
  { consumerId: 'bo-noi-vu.hrm', apiVersionId: 'persons-v1', environment: 'sandbox' },
  { consumerId: 'so-tu-phap.hcm', apiVersionId: 'persons-v1', environment: 'sandbox' },
  // A subscription of a consumer the snapshot does not list grants nothing.
  { consumerId: 'ghost.system', apiVersionId: 'persons-v1', environment: 'sandbox' },
];

/** The Party-WAN zone of these tests, and a client inside it unless a test says otherwise. */
const NETWORK = new GatewayNetwork({ trustedProxies: [], wanCidrs: parseAddressList('10.20.0.0/16, 2001:db8:20::/48').ranges });
const IN_WAN = '10.20.4.7';

function operation(classification: Classification, key = 'GET /persons/{id}'): OpenApiOperation {
  const [method, path] = key.split(' ');
  return { method: method as OpenApiOperation['method'], path, key, classification };
}

describe('authorize policy', () => {
  let routes: { table: RouteTable };
  let handler: GatewayPolicyHandler;

  beforeEach(() => {
    routes = { table: tableOf({ apiVersions: VERSIONS, consumers: CONSUMERS, subscriptions: SUBSCRIPTIONS }) };
    handler = authorizePolicy.create({}, { routes, network: NETWORK } as unknown as PolicyDependencies);
  });

  /** A call routed (as phase 30 leaves it) to `domain` v1, by `consumerId` with a token for `environment`. */
  function authorize(consumerId: string | undefined, domain: string, environment: Environment | undefined = 'sandbox', op?: OpenApiOperation, clientIp: string | undefined = IN_WAN) {
    const { context } = callOf('GET', `/v1/${domain}/x`, { consumerId, environment });
    context.clientIp = clientIp;
    context.route = routes.table.lookup('v1', domain);
    const route = context.route!;
    context.operation = route.kind === 'rest' ? (op ?? operation('noi-bo')) : undefined;
    return handler.handle(context) as LgspError | undefined;
  }

  function expectRefusal(result: LgspError | undefined, code: ErrorCode, detail: RegExp | string): LgspError {
    expect(result).toBeInstanceOf(LgspError);
    expect({ code: result!.code, status: result!.status }).toEqual({ code, status: code === ErrorCode.InternalError ? 500 : 403 });
    expect(result!.detail).toEqual(typeof detail === 'string' ? detail : expect.stringMatching(detail));
    return result!;
  }

  it('is phase 40, between route and throttle, with no settings', () => {
    expect(authorizePolicy.phase).toBe(40);
    expect(authorizePolicy.configSchema.properties).toEqual({});
    expect(() => PolicyChain.build([authorizePolicy], { authorize: { zones: [] } }, { routes } as unknown as PolicyDependencies)).toThrow(/policy authorize/);
  });

  it('admits an active consumer system subscribed to the version in its environment', () => {
    expect(authorize('tu-ha-noi.qlcb', 'persons', 'sandbox')).toBeUndefined();
    expect(authorize('tu-ha-noi.qlcb', 'persons', 'production')).toBeUndefined();
    expect(authorize('hung-yen.qlvb', 'persons', 'sandbox')).toBeUndefined();
    expect(authorize('tu-ha-noi.qlcb', 'land', 'production')).toBeUndefined();
  });

  it.each([
    ['unknown', 'ghost.system', /not registered/],
    ['suspended', 'bo-noi-vu.hrm', /is suspended/],
    ['terminated', 'so-tu-phap.hcm', /is terminated/],
  ])('refuses a consumer system that is %s with 403 consumer_suspended', (_status, consumerId, detail) => {
    const refusal = expectRefusal(authorize(consumerId, 'persons'), ErrorCode.ConsumerSuspended, detail);
    // Shared, not made per request.
    expect(authorize(consumerId, 'persons')).toBe(refusal);
  });

  it('refuses 403 subscription_missing without a subscription to the version, or with one for the other environment only', () => {
    const refusal = expectRefusal(authorize('hung-yen.qlvb', 'land', 'sandbox'), ErrorCode.SubscriptionMissing, 'This consumer system is not subscribed to land v1 in sandbox');
    expect(authorize('hung-yen.qlvb', 'land', 'sandbox')).toBe(refusal);
    expectRefusal(authorize('hung-yen.qlvb', 'persons', 'production'), ErrorCode.SubscriptionMissing, 'This consumer system is not subscribed to persons v1 in production');
  });

  it("refuses by the operation's classification: Tuyệt mật never; Mật and Tối mật from the zone are left to verify (the signature)", () => {
    expectRefusal(authorize('tu-ha-noi.qlcb', 'persons', 'sandbox', operation('tuyet-mat')), ErrorCode.ClassificationForbidden, /Tuyệt mật .* never crosses the platform/);
    for (const classification of ['mat', 'toi-mat', 'cong-khai', 'noi-bo'] as const) {
      expect(authorize('tu-ha-noi.qlcb', 'persons', 'sandbox', operation(classification))).toBeUndefined();
    }
  });

  it('refuses Mật and Tối mật from a client outside the Party-WAN zone with 403 zone_forbidden, before the signature rule', () => {
    for (const clientIp of ['10.21.0.1', '203.0.113.9', '2001:db8:21::1', '::ffff:10.21.0.1', 'not-an-address']) {
      for (const classification of ['mat', 'toi-mat'] as const) {
        const refusal = expectRefusal(
          authorize('tu-ha-noi.qlcb', 'persons', 'sandbox', operation(classification), clientIp),
          ErrorCode.ZoneForbidden,
          /served only to clients in the Party wide-area network \(Party-WAN\) zone; this call comes from outside it/,
        );
        expect(authorize('tu-ha-noi.qlcb', 'persons', 'sandbox', operation(classification), clientIp)).toBe(refusal);
      }
    }
    // Inside the zone (IPv4, IPv6, IPv4-mapped): admitted here; verify (phase 60) requires the signature.
    for (const clientIp of ['10.20.0.1', '10.20.255.254', '2001:db8:20:ffff::1', '::ffff:10.20.0.9']) {
      expect(authorize('tu-ha-noi.qlcb', 'persons', 'sandbox', operation('mat'), clientIp)).toBeUndefined();
    }
    // Tuyệt mật never, from anywhere; the lower classifications from anywhere.
    expectRefusal(authorize('tu-ha-noi.qlcb', 'persons', 'sandbox', operation('tuyet-mat'), '203.0.113.9'), ErrorCode.ClassificationForbidden, /never crosses/);
    for (const classification of ['cong-khai', 'noi-bo'] as const) expect(authorize('tu-ha-noi.qlcb', 'persons', 'sandbox', operation(classification), '203.0.113.9')).toBeUndefined();
    expectRefusal(authorize('tu-ha-noi.qlcb', 'cadres', 'sandbox', undefined, '203.0.113.9'), ErrorCode.ZoneForbidden, /outside/);
  });

  it('puts nobody in the zone when LGSP_WAN_CIDRS is unset, nor a call whose client address is unknown', () => {
    const noZone = authorizePolicy.create({}, { routes } as unknown as PolicyDependencies);
    const { context } = callOf('GET', '/v1/persons/x', { consumerId: 'tu-ha-noi.qlcb', environment: 'sandbox' });
    context.route = routes.table.lookup('v1', 'persons');
    context.operation = operation('mat');
    context.clientIp = '127.0.0.1';
    expectRefusal(noZone.handle(context) as LgspError, ErrorCode.ZoneForbidden, /outside/);
    context.clientIp = undefined;
    expectRefusal(handler.handle(context) as LgspError, ErrorCode.ZoneForbidden, /outside/);
  });

  it("judges a SOAP call by its version's classification", () => {
    expect(authorize('tu-ha-noi.qlcb', 'land')).toBeUndefined();
    expect(authorize('tu-ha-noi.qlcb', 'cadres')).toBeUndefined();
    expectRefusal(authorize('tu-ha-noi.qlcb', 'cadres', 'sandbox', undefined, '203.0.113.9'), ErrorCode.ZoneForbidden, /outside/);
  });

  it('checks status, then subscription, then classification', () => {
    expectRefusal(authorize('bo-noi-vu.hrm', 'cadres', 'production'), ErrorCode.ConsumerSuspended, /suspended/);
    expectRefusal(authorize('hung-yen.qlvb', 'cadres'), ErrorCode.SubscriptionMissing, /cadres v1/);
  });

  it('refuses with 500 rather than admit a call the earlier phases did not authenticate and route', () => {
    expectRefusal(authorize(undefined, 'persons'), ErrorCode.InternalError, /without an authenticated consumer/);
    const unauthenticated = callOf('GET', '/v1/persons/x', { consumerId: 'tu-ha-noi.qlcb' }).context;
    unauthenticated.route = routes.table.lookup('v1', 'persons');
    expectRefusal(handler.handle(unauthenticated) as LgspError, ErrorCode.InternalError, /without an authenticated consumer/);
    const { context } = callOf('GET', '/v1/persons/x', { consumerId: 'tu-ha-noi.qlcb', environment: 'sandbox' });
    expectRefusal(handler.handle(context) as LgspError, ErrorCode.InternalError, /routed API/);
    context.route = routes.table.lookup('v1', 'persons');
    expectRefusal(handler.handle(context) as LgspError, ErrorCode.InternalError, /routed API/);
  });

  it('applies a suspension, a reinstatement and a new subscription as soon as the table is swapped', () => {
    expect(authorize('hung-yen.qlvb', 'persons')).toBeUndefined();
    routes.table = tableOf({ apiVersions: VERSIONS, consumers: CONSUMERS.map((c) => (c.id === 'hung-yen.qlvb' ? { ...c, status: 'suspended' } : c)), subscriptions: SUBSCRIPTIONS });
    expectRefusal(authorize('hung-yen.qlvb', 'persons'), ErrorCode.ConsumerSuspended, /suspended/);
    routes.table = tableOf({ apiVersions: VERSIONS, consumers: CONSUMERS, subscriptions: [...SUBSCRIPTIONS, { consumerId: 'hung-yen.qlvb', apiVersionId: 'land-v1', environment: 'sandbox' }] });
    expect(authorize('hung-yen.qlvb', 'persons')).toBeUndefined();
    expect(authorize('hung-yen.qlvb', 'land')).toBeUndefined();
  });
});

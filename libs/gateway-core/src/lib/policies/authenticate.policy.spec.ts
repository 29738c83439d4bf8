import { LgspError } from '@lgsp/contracts';
import { InProcessChangeChannel } from '@lgsp/data';
import { createLogger } from '@lgsp/observability';
import { SignJWT, exportSPKI, generateKeyPair } from 'jose';

import { TestTokenMinter, base64url, jtiOf, testSigningKey } from '../../../test/test-tokens.util';
import type { MintOptions, TestSigningKey } from '../../../test/test-tokens.util';
import type { GatewayContext } from '../chain/gateway-context.type';
import { PolicyChain, PolicyChainError } from '../chain/policy-chain';
import type { PolicyDependencies } from '../chain/gateway-policy.type';
import { UpstreamPools } from '../proxy/upstream-pools';
import { RouteTable } from '../routing/route-table';
import { JwksState } from '../tokens/jwks-state.service';
import { RevocationSet } from '../tokens/revocation-set.service';
import { authenticatePolicy } from './authenticate.policy';
import { AccessTokenVerifier } from './authenticate/access-token-verifier.service';
import type { AuthenticatePolicyConfig } from './authenticate/access-token-verifier.service';
import { MemorySlidingLogStorage, ThrottleLimits } from './throttle';

const ISSUER = 'https://lgsp.example.gov.vn';
const CONFIG: AuthenticatePolicyConfig = { clockToleranceSeconds: 30, claimsCacheMaxEntries: 100, unknownKidRefetchIntervalMs: 5000, maxTokenLength: 8192 };

function contextWith(authorization?: string): GatewayContext {
  return {
    request: { headers: authorization === undefined ? {} : { authorization } },
    reply: {},
    transactionId: 'transaction',
    receivedAt: 0,
    path: '/v1/directory/organisations',
    query: '',
    bytesIn: 0,
  } as unknown as GatewayContext;
}

function expectRefusal(result: unknown, detail: RegExp, token?: string): void {
  expect(result).toBeInstanceOf(LgspError);
  const refusal = result as LgspError;
  expect({ code: refusal.code, status: refusal.status }).toEqual({ code: 'invalid_token', status: 401 });
  expect(refusal.detail).toMatch(detail);
  expect(refusal.headers).toEqual({ 'www-authenticate': `Bearer error="invalid_token", error_description="${refusal.detail}"` });
  expect(refusal.headers!['www-authenticate']).toMatch(/^Bearer error="invalid_token", error_description="[\x20\x21\x23-\x5b\x5d-\x7e]+"$/);
  if (token !== undefined) {
    for (const part of token.split('.').filter((p) => p.length > 8)) expect(JSON.stringify({ ...refusal, message: refusal.message })).not.toContain(part);
  }
}

describe('authenticate policy', () => {
  let now: number;
  const clock = () => now;
  const lines: string[] = [];
  const logger = createLogger({ service: 'test', level: 'info', destination: { write: (line: string) => void lines.push(line) } });
  let channel: InProcessChangeChannel;
  let key: TestSigningKey;
  let stranger: TestSigningKey;
  let jwks: JwksState;
  let revocations: RevocationSet;
  let verifier: AccessTokenVerifier;
  let minter: TestTokenMinter;

  const mint = (options?: MintOptions) => minter.mint(key, options);
  const run = async (authorization?: string) => {
    const context = contextWith(authorization);
    return { context, result: await verifier.handle(context) };
  };

  beforeAll(async () => {
    key = await testSigningKey('key-2026-11');
    stranger = await testSigningKey('key-2026-11');
  });

  beforeEach(async () => {
    now = Date.parse('2026-11-23T08:00:00Z');
    channel = new InProcessChangeChannel();
    jwks = new JwksState({ load: async () => ({ keys: [key.publicJwk] }) }, channel, logger, { refreshIntervalMs: 3_600_000 });
    revocations = new RevocationSet({ loadActive: async () => [] }, channel, logger, { clock });
    await Promise.all([jwks.start(), revocations.start()]);
    verifier = new AccessTokenVerifier(CONFIG, { keys: jwks, revocations, issuer: ISSUER, audience: ISSUER }, clock);
    minter = new TestTokenMinter(ISSUER, clock);
  });

  afterEach(async () => {
    jwks.stop();
    revocations.stop();
    await channel.close();
  });

  describe('config schema', () => {
    const deps = (): PolicyDependencies => ({
      routes: { table: RouteTable.empty() },
      upstreams: new UpstreamPools({ connectTimeoutMs: 100, connections: 1, keepAliveTimeoutMs: 100 }),
      throttle: { storage: new MemorySlidingLogStorage({ sweepIntervalMs: 0 }), limits: new ThrottleLimits({ readPerMinute: 1000, writePerMinute: 300 }) },
  tracingEnabled: false,
      tokens: { keys: jwks, revocations, issuer: ISSUER, audience: ISSUER },
      clock,
    });

    it('runs at phase 20 with described defaults, and accepts a valid token through the chain', async () => {
      expect(authenticatePolicy.phase).toBe(20);
      expect(Object.fromEntries(Object.entries(authenticatePolicy.configSchema.properties).map(([k, v]) => [k, v.default]))).toEqual({
        clockToleranceSeconds: 30,
        claimsCacheMaxEntries: 10000,
        unknownKidRefetchIntervalMs: 5000,
        maxTokenLength: 8192,
      });
      const chain = PolicyChain.build([authenticatePolicy as never], {}, deps());
      const context = contextWith(`Bearer ${await mint()}`);
      expect(await chain.run(context)).toBeUndefined();
      expect(context.consumerId).toBe('tu-ha-noi.qlcb');
    });

    it.each([
      [{ clockToleranceSeconds: -1 }, /clockToleranceSeconds must be >= 0/],
      [{ claimsCacheMaxEntries: 0 }, /claimsCacheMaxEntries must be >= 1/],
      [{ unknownKidRefetchIntervalMs: 10 }, /unknownKidRefetchIntervalMs must be >= 100/],
      [{ cacheEverything: true }, /additional properties/],
    ])('refuses the setting %j at load', (setting, message) => {
      expect(() => PolicyChain.build([authenticatePolicy as never], { authenticate: setting }, deps())).toThrow(PolicyChainError);
      expect(() => PolicyChain.build([authenticatePolicy as never], { authenticate: setting }, deps())).toThrow(message);
    });
  });

  describe('a valid token', () => {
    it('is accepted and fills the context: environment from env, consumer from sub, credential from client_id', async () => {
      const token = await mint({ claims: { env: 'production', sub: 'bo-noi-vu.qlcb', client_id: 'bnv-prod' } });
      const { context, result } = await run(`Bearer ${token}`);
      expect(result).toBeUndefined();
      expect(context).toMatchObject({ environment: 'production', consumerId: 'bo-noi-vu.qlcb', clientId: 'bnv-prod' });
      expect(context.token).toMatchObject({ iss: ISSUER, aud: ISSUER, scope: 'directory:v1', jti: jtiOf(token) });
    });

    it.each(['bearer', 'BEARER', 'BeArEr'])('is accepted with the scheme spelled %s', async (scheme) => {
      expect((await run(`${scheme} ${await mint()}`)).result).toBeUndefined();
    });

    it('is accepted within the clock tolerance of its expiry, and refused beyond it', async () => {
      const token = await mint({ iat: now / 1000 - 3600, ttlSeconds: 3590 });
      expect((await run(`Bearer ${token}`)).result).toBeUndefined();
      const late = await mint({ iat: now / 1000 - 3600, ttlSeconds: 3560 });
      expectRefusal((await run(`Bearer ${late}`)).result, /has expired/, late);
    });
  });

  describe('refusals, each 401 invalid_token with a Bearer challenge saying what was wrong', () => {
    const cases: [string, () => Promise<string | undefined>, RegExp][] = [
      ['a missing Authorization header', async () => undefined, /No access token/],
      ['an empty Authorization header', async () => '', /No access token/],
      ['the Basic scheme', async () => 'Basic ZGVtbzpzZWNyZXQ=', /Bearer scheme/],
      ['a scheme that only starts like Bearer', async () => `Bearerx ${await mint()}`, /Bearer scheme/],
      ['a token without a scheme', async () => await mint(), /Bearer scheme/],
      ['an empty token', async () => 'Bearer ', /empty/],
      ['a bare scheme', async () => 'Bearer', /empty/],
      ['garbage', async () => 'Bearer not-a-jwt-at-all', /not a well-formed signed JWT/],
      ['three segments of garbage', async () => 'Bearer aaaa.bbbb.cccc', /not a well-formed signed JWT/],
      ['an oversized token', async () => `Bearer ${'a'.repeat(9000)}`, /too long/],
      ['a forged token (another key claiming a published kid)', async () => `Bearer ${await minter.mint(stranger)}`, /signature is invalid/],
      [
        'a tampered payload',
        async () => {
          const [header, , signature] = (await mint()).split('.');
          return `Bearer ${header}.${base64url(minter.claims({ claims: { env: 'production', sub: 'someone-else' } }))}.${signature}`;
        },
        /signature is invalid/,
      ],
      ['an expired token', async () => `Bearer ${await mint({ iat: now / 1000 - 7200 })}`, /has expired/],
      ['a token not valid before a future nbf', async () => `Bearer ${await mint({ claims: { nbf: now / 1000 + 120 } })}`, /not valid yet/],
      ['a token issued in the future', async () => `Bearer ${await mint({ iat: now / 1000 + 120 })}`, /not valid yet/],
      ['another issuer', async () => `Bearer ${await mint({ claims: { iss: 'https://evil.example' } })}`, /another issuer/],
      ['another audience', async () => `Bearer ${await mint({ claims: { aud: 'https://other-gateway.example' } })}`, /another audience/],
      ['a plain JWT (typ JWT)', async () => `Bearer ${await mint({ header: { typ: 'JWT' } })}`, /typ at\+jwt/],
      ['a token without typ', async () => `Bearer ${await mint({ header: { typ: undefined } })}`, /typ at\+jwt/],
      ['alg none', async () => `Bearer ${base64url({ alg: 'none', typ: 'at+jwt', kid: key.kid })}.${base64url(minter.claims())}.`, /signed with ES256/],
      [
        'HS256 keyed with the public key (algorithm confusion)',
        async () => {
          const secret = new TextEncoder().encode(await exportSPKI(key.publicKey));
          return `Bearer ${await new SignJWT(minter.claims()).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: key.kid }).sign(secret)}`;
        },
        /signed with ES256/,
      ],
      [
        'RS256',
        async () => {
          const rsa = await generateKeyPair('RS256');
          return `Bearer ${await new SignJWT(minter.claims()).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: key.kid }).sign(rsa.privateKey)}`;
        },
        /signed with ES256/,
      ],
      ['a token naming no kid', async () => `Bearer ${await mint({ header: { kid: undefined } })}`, /names no signing key/],
      ['a kid the platform does not publish', async () => `Bearer ${await minter.mint({ ...stranger, kid: 'never-published' })}`, /does not publish/],
      ['no sub', async () => `Bearer ${await mint({ claims: { sub: undefined } })}`, /lacks a valid sub claim/],
      ['no client_id', async () => `Bearer ${await mint({ claims: { client_id: undefined } })}`, /lacks a valid client_id claim/],
      ['no jti', async () => `Bearer ${await mint({ claims: { jti: undefined } })}`, /lacks a valid jti claim/],
      ['no scope', async () => `Bearer ${await mint({ claims: { scope: undefined } })}`, /lacks a valid scope claim/],
      ['no exp', async () => `Bearer ${await mint({ claims: { exp: undefined } })}`, /lacks a valid exp claim/],
      ['a sub that is not a string', async () => `Bearer ${await mint({ claims: { sub: 42 } })}`, /lacks a valid sub claim/],
      ['no env', async () => `Bearer ${await mint({ claims: { env: undefined } })}`, /no valid environment/],
      ['an env that is not an environment', async () => `Bearer ${await mint({ claims: { env: 'staging' } })}`, /no valid environment/],
      [
        "an admin client's token (roles)",
        async () => `Bearer ${await mint({ claims: { roles: ['dgo-admin'], scope: 'admin', env: undefined, sub: 'dgo-admin' } })}`,
        /Admin client tokens/,
      ],
    ];

    it.each(cases)('refuses %s', async (_name, header, detail) => {
      const authorization = await header();
      const { context, result } = await run(authorization);
      expectRefusal(result, detail, authorization);
      expect(context).not.toHaveProperty('consumerId');
      expect(context).not.toHaveProperty('environment');
    });

    it('refuses a revoked token', async () => {
      const token = await mint();
      await channel.publish({ kind: 'token-revoked', jti: jtiOf(token), exp: now / 1000 + 3600 });
      await Promise.resolve();
      expectRefusal((await run(`Bearer ${token}`)).result, /has been revoked/, token);
    });
  });

  describe('the claims cache', () => {
    it('verifies a token once however many calls carry it, one after another or at once', async () => {
      const token = await mint();
      for (let i = 0; i < 100; i++) expect((await run(`Bearer ${token}`)).result).toBeUndefined();
      expect(verifier.verifications).toBe(1);

      const fresh = await mint();
      const results = await Promise.all(Array.from({ length: 50 }, () => run(`Bearer ${fresh}`)));
      expect(results.every(({ result, context }) => result === undefined && context.consumerId === 'tu-ha-noi.qlcb')).toBe(true);
      expect(verifier.verifications).toBe(2);
    });

    it('answers a hit without waiting: no promise, nothing to await', async () => {
      const token = await mint();
      await run(`Bearer ${token}`);
      const context = contextWith(`Bearer ${token}`);
      expect(verifier.handle(context)).toBeUndefined();
      expect(context.clientId).toBe('demo-consumer');
    });

    it('still refuses a cached token once it is revoked', async () => {
      const token = await mint();
      expect((await run(`Bearer ${token}`)).result).toBeUndefined();
      await channel.publish({ kind: 'token-revoked', jti: jtiOf(token), exp: now / 1000 + 3600 });
      await Promise.resolve();
      expectRefusal((await run(`Bearer ${token}`)).result, /has been revoked/);
      expect(verifier.verifications).toBe(1);
    });

    it('still refuses a cached token once it has expired', async () => {
      const token = await mint({ ttlSeconds: 60 });
      expect((await run(`Bearer ${token}`)).result).toBeUndefined();
      now += 60_000;
      expect((await run(`Bearer ${token}`)).result).toBeUndefined();
      now += 30_000;
      expectRefusal((await run(`Bearer ${token}`)).result, /has expired/);
    });

    it('is bounded: past its size the least recently used token is verified again', async () => {
      const small = new AccessTokenVerifier({ ...CONFIG, claimsCacheMaxEntries: 2 }, { keys: jwks, revocations, issuer: ISSUER, audience: ISSUER }, clock);
      const [a, b, c] = await Promise.all([mint(), mint(), mint()]);
      for (const token of [a, b, c, c, b, a]) expect(await small.handle(contextWith(`Bearer ${token}`))).toBeUndefined();
      expect(small.verifications).toBe(4);
    });

    it('never caches a refusal: a forged token costs a verification each time and is refused each time', async () => {
      const forged = await minter.mint(stranger);
      for (let i = 0; i < 3; i++) expectRefusal((await run(`Bearer ${forged}`)).result, /signature is invalid/);
      expect(verifier.verifications).toBe(3);
    });
  });
});

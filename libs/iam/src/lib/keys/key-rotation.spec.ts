import type { JSONWebKeySet } from 'jose';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { request } from 'undici';

import type { RunningIam, TestDb } from '../../../test/iam-test.util';
import { FORM, SETUP_TIMEOUT_MS, TestClock, basic, openTestDb, seedAdmin, startIam } from '../../../test/iam-test.util';
import { SigningKeyService } from './signing-key.service';

const REFRESH_S = 300;
const STEP_MS = 60_000;
const T0 = new Date('2026-11-23T00:00:00Z');
const SECRET = 'rotation-secret-rotation-secret-rotation-0';

/**
 * A rotation lived through on an injected clock, minute by minute over two days and more with
 * one-day keys: IAM's maintenance runs every minute, a token is issued every five, and a verifier
 * that fetches the JWKS every LGSP_JWKS_REFRESH_SECONDS (and never on an unknown kid) checks each
 * token when issued and just before it expires.
 */
describe('signing-key rotation', () => {
  let t: TestDb;
  let iam: RunningIam;
  const clock = new TestClock(T0);

  beforeAll(async () => {
    t = await openTestDb('postgres');
    await seedAdmin(t.database, 'rotation-admin', SECRET, ['soc-analyst']);
    iam = await startIam({
      database: t.database,
      clock: clock.now,
      env: { LGSP_SIGNING_KEY_ROTATION_DAYS: '1', LGSP_JWKS_REFRESH_SECONDS: String(REFRESH_S), LGSP_TOKEN_TTL_SECONDS: '3600' },
    });
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await iam?.close();
    await t?.close();
  });

  async function fetchJwks(): Promise<{ jwks: JSONWebKeySet; cacheControl: string }> {
    const response = await request(`${iam.base}/oauth2/jwks`);
    return { jwks: (await response.body.json()) as JSONWebKeySet, cacheControl: String(response.headers['cache-control']) };
  }

  it('publishes each key 2 × refresh before it signs and keeps it until its last token expired; no token ever fails', async () => {
    const keys = iam.iam.app.get(SigningKeyService, { strict: false });
    const firstPublished = new Map<string, number>();
    const lastPublished = new Map<string, number>();
    const firstSigned = new Map<string, number>();
    const lastExpiry = new Map<string, number>();
    const pending: { token: string; exp: number }[] = [];
    const failures: string[] = [];
    let verifierJwks: ReturnType<typeof createLocalJWKSet> | undefined;
    let verifierFetchedAt = -Infinity;
    const end = T0.getTime() + 2.1 * 86_400_000;

    const verify = async (token: string, now: Date, when: string) => {
      try {
        await jwtVerify(token, verifierJwks!, { issuer: iam.config.publicUrl, audience: iam.config.publicUrl, typ: 'at+jwt', currentDate: now, algorithms: ['ES256'] });
      } catch (error) {
        failures.push(`${now.toISOString()} ${when} kid=${decodeProtectedHeader(token).kid}: ${(error as Error).message}`);
      }
    };

    for (let at = T0.getTime(); at <= end; at += STEP_MS) {
      clock.set(new Date(at));
      const now = clock.now();
      await keys.ensureSigningKeys();

      const { jwks, cacheControl } = await fetchJwks();
      const maxAge = Number(/max-age=(\d+)/.exec(cacheControl)?.[1]);
      expect(maxAge).toBeLessThanOrEqual(REFRESH_S);
      for (const key of jwks.keys) {
        if (!firstPublished.has(key.kid!)) firstPublished.set(key.kid!, at);
        lastPublished.set(key.kid!, at);
      }
      // The verifier's own cadence, out of phase with the minute: it sees what IAM published by then.
      if (at - verifierFetchedAt >= REFRESH_S * 1000 + 17_000) {
        verifierJwks = createLocalJWKSet(jwks);
        verifierFetchedAt = at;
      }

      if ((at - T0.getTime()) % (5 * STEP_MS) === 0) {
        const response = await request(`${iam.base}/oauth2/token`, {
          method: 'POST',
          headers: { 'content-type': FORM, authorization: basic('rotation-admin', SECRET) },
          body: 'grant_type=client_credentials',
        });
        const { access_token: token } = (await response.body.json()) as { access_token: string };
        const kid = decodeProtectedHeader(token).kid!;
        const exp = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).exp * 1000;
        if (!firstSigned.has(kid)) firstSigned.set(kid, at);
        lastExpiry.set(kid, Math.max(lastExpiry.get(kid) ?? 0, exp));
        await verify(token, now, 'at issue');
        pending.push({ token, exp });
      }
      for (const entry of pending.filter((p) => p.exp - 60_000 <= at && p.exp - 60_000 > at - STEP_MS)) await verify(entry.token, now, 'before expiry');
    }

    expect(failures).toEqual([]);
    const kids = [...firstSigned.keys()];
    // One-day keys over two days and more: the first, and the two that followed.
    expect(kids).toHaveLength(3);
    for (const kid of kids.slice(1)) {
      expect({ kid, lead: firstSigned.get(kid)! - firstPublished.get(kid)! >= 2 * REFRESH_S * 1000 }).toEqual({ kid, lead: true });
    }
    for (const kid of kids) {
      // Published at every minute until its last token expired (or until the end, for tokens still live).
      const keptUntil = Math.min(lastExpiry.get(kid)!, end);
      expect({ kid, keptUntilLastToken: lastPublished.get(kid)! >= keptUntil }).toEqual({ kid, keptUntilLastToken: true });
    }
    // The first key retired after a day; a day and a few minutes later it has left the JWKS.
    expect(lastPublished.get(kids[0])!).toBeLessThan(end);
    expect((await fetchJwks()).jwks.keys.map((k) => k.kid)).not.toContain(kids[0]);
  }, 120_000);
});

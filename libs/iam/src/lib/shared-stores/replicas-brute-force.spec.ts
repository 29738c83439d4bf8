import { randomUUID } from 'node:crypto';

import { Redis } from 'ioredis';
import { Agent, request } from 'undici';

import type { RunningIam, TestDb } from '../../../test/iam-test.util';
import { FORM, SETUP_TIMEOUT_MS, TestClock, basic, openTestDb, seedConsumer, seedCredential, startIam } from '../../../test/iam-test.util';

const SECRET = 'replica-secret-replica-secret-replica-sec';

/** Two IAM replicas with REDIS_URL: guesses spread over both meet one limit, and the lock-out is shared. */
describe('brute force across IAM replicas sharing Redis', () => {
  let t: TestDb;
  const replicas: RunningIam[] = [];
  const clock = new TestClock(new Date());
  // Ids of this run's own: the machine's Redis keeps other runs' keys for their window.
  const victim = `victim-${randomUUID()}`;
  // And a client IP of its own (all of 127/8 is loopback): IP keys are shared and locked too.
  const ip = `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
  const agent = new Agent({ localAddress: ip });

  beforeAll(async () => {
    t = await openTestDb('pglite');
    await seedConsumer(t.database, { id: 'tu-ha-noi.qlcb' });
    await seedCredential(t.database, { clientId: victim, consumerId: 'tu-ha-noi.qlcb', secret: SECRET });
    for (let i = 0; i < 2; i++) replicas.push(await startIam({ database: t.database, clock: clock.now, env: { LGSP_AUTH_FAILURE_LIMIT: '6', REDIS_URL: 'redis://127.0.0.1:6379' } }));
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    for (const replica of replicas) await replica.close();
    await agent.close();
    await t?.close();
    const redis = new Redis('redis://127.0.0.1:6379');
    const keys = [...(await redis.keys(`lgsp:iam:*${victim}`)), ...(await redis.keys(`lgsp:iam:*ip:${ip}`))];
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  async function attempt(replica: RunningIam, secret: string) {
    const response = await request(`${replica.base}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': FORM, authorization: basic(victim, secret) },
      body: 'grant_type=client_credentials',
      dispatcher: agent,
    });
    return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
  }

  it('counts every replica’s failures toward one limit and locks the client out on all of them', async () => {
    for (let i = 0; i < 6; i++) {
      expect(await attempt(replicas[i % 2], `wrong-${i}`)).toEqual({ status: 401, body: { error: 'invalid_client', error_description: 'Client authentication failed' } });
    }
    // Each replica alone saw three failures, below the limit of six: only a shared count locks out.
    for (const replica of replicas) {
      expect(await attempt(replica, SECRET)).toEqual({ status: 401, body: { error: 'invalid_client', error_description: 'Too many failed authentications: try again later' } });
    }
    // Both replicas slowed their answers as the shared count grew (from 6 / 3 failures).
    expect([...replicas[0].sleeps, ...replicas[1].sleeps].sort((a, b) => a - b)).toEqual([250, 500, 1000, 2000]);
  });
});

import { Agent, request } from 'undici';

import type { RunningIam, TestDb } from '../../../test/iam-test.util';
import { FORM, SETUP_TIMEOUT_MS, TestClock, basic, openTestDb, seedConsumer, seedCredential, startIam } from '../../../test/iam-test.util';

const SECRET = 'brute-force-secret-brute-force-secret-bru';

/** The token endpoint under attack, on an injected clock with a sleep that only records. */
describe('brute force on client authentication', () => {
  let t: TestDb;
  let iam: RunningIam;
  const clock = new TestClock(new Date('2026-11-23T08:00:00Z'));

  beforeAll(async () => {
    t = await openTestDb('pglite');
    await seedConsumer(t.database, { id: 'tu-ha-noi.qlcb' });
    for (const id of ['victim', 'other', 'third']) await seedCredential(t.database, { clientId: id, consumerId: 'tu-ha-noi.qlcb', secret: SECRET });
    iam = await startIam({ database: t.database, clock: clock.now, env: { LGSP_AUTH_FAILURE_LIMIT: '6' } });
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await iam?.close();
    await t?.close();
  });

  // Linux routes all of 127/8 to loopback: each source address is another client IP to the server.
  const agents = new Map<string, Agent>();
  const from = (ip: string) => agents.get(ip) ?? agents.set(ip, new Agent({ localAddress: ip })).get(ip)!;
  afterAll(() => Promise.all([...agents.values()].map((agent) => agent.close())));

  async function attempt(clientId: string, secret: string, ip = '127.0.0.1') {
    const response = await request(`${iam.base}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': FORM, authorization: basic(clientId, secret) },
      body: 'grant_type=client_credentials',
      dispatcher: from(ip),
    });
    return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
  }

  const settle = () => new Promise((resolve) => setTimeout(resolve, 20));
  /** The guard's events: every other refused attempt is one authentication-failure. */
  const events = () => iam.sink.records.filter((r) => r.securityEvent !== undefined && r.securityEvent !== 'authentication-failure');

  it('slows, then locks out the client id, with one security event per burst and per lock-out', async () => {
    // Limit 6: answers slow from the 2nd failure (6 / 3), the 6th locks out.
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await attempt('victim', `wrong-${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401]);
    expect(iam.sleeps).toEqual([250, 500, 1000, 2000]);

    // Locked: even the right secret is refused, without being checked.
    const locked = await attempt('victim', SECRET);
    expect(locked).toEqual({ status: 401, body: { error: 'invalid_client', error_description: 'Too many failed authentications: try again later' } });

    await settle();
    // Seven refusals, each a security event: five single failures, the burst, the lock-out.
    expect(iam.sink.records.map((r) => [r.service, r.status, r.securityEvent])).toEqual([
      ['iam', 401, 'authentication-failure'],
      ['iam', 401, 'authentication-failure-burst'],
      ['iam', 401, 'authentication-failure'],
      ['iam', 401, 'authentication-failure'],
      ['iam', 401, 'authentication-failure'],
      ['iam', 401, 'authentication-locked-out'],
      ['iam', 401, 'authentication-failure'],
    ]);
    expect(events().map((r) => ({ event: r.securityEvent, clientId: r.clientId, errorCode: r.errorCode, status: r.status }))).toEqual([
      { event: 'authentication-failure-burst', clientId: 'victim', errorCode: 'invalid_client', status: 401 },
      { event: 'authentication-locked-out', clientId: 'victim', errorCode: 'invalid_client', status: 401 },
    ]);
    const warnings = iam.lines.map((line) => JSON.parse(line) as { 'log.level': string; message: string }).filter((l) => l['log.level'] === 'warn');
    expect(warnings.map((l) => l.message)).toEqual(['oauth token: authentication-failure-burst', 'oauth token: authentication-locked-out']);
  });

  it('locks out the client id from every IP and the IP for every client id, for 15 minutes', async () => {
    expect((await attempt('other', SECRET, '127.0.0.1')).status).toBe(401);
    expect((await attempt('victim', SECRET, '127.0.0.3')).status).toBe(401);
    expect((await attempt('other', SECRET, '127.0.0.3')).status).toBe(200);
    clock.advance(15 * 60_000 + 1000);
    expect((await attempt('other', SECRET, '127.0.0.1')).status).toBe(200);
    expect((await attempt('victim', SECRET, '127.0.0.1')).status).toBe(200);
  });

  it('counts per IP across client ids', async () => {
    iam.sleeps.length = 0;
    await attempt('victim', 'wrong', '127.0.0.4');
    await attempt('other', 'wrong', '127.0.0.4');
    await attempt('third', 'wrong', '127.0.0.4');
    // Each client id failed once; the IP twice before the third attempt: slowed by the IP alone.
    expect(iam.sleeps).toEqual([250]);
  });

  it('names no unknown client id in a security event (it may be anything typed)', async () => {
    clock.advance(16 * 60_000);
    const before = events().length;
    for (let i = 0; i < 2; i++) await attempt('pasted-a-secret-here', 'x', '127.0.2.1');
    await settle();
    const burst = events().slice(before);
    expect(burst.map((r) => [r.securityEvent, r.clientId])).toEqual([['authentication-failure-burst', undefined]]);
    expect(JSON.stringify(iam.sink.records) + iam.lines.join('')).not.toContain('pasted-a-secret-here');
  });

  it('forgets the client id’s failures on success (not the IP’s)', async () => {
    clock.advance(16 * 60_000);
    iam.sleeps.length = 0;
    for (let i = 0; i < 3; i++) await attempt('third', 'wrong', `127.0.1.${i}`);
    expect(iam.sleeps).toEqual([250]);
    expect((await attempt('third', SECRET, '127.0.1.9')).status).toBe(200);
    iam.sleeps.length = 0;
    // Without the reset the client id's three failures would slow this one.
    await attempt('third', 'wrong', '127.0.1.10');
    expect(iam.sleeps).toEqual([]);
  });
});

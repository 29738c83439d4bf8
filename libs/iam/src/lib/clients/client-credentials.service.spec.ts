import { ErrorCode, LgspError } from '@lgsp/contracts';
import { credentials, verifySecret } from '@lgsp/data';
import { eq } from 'drizzle-orm';
import { request } from 'undici';

import type { RunningIam, TestDb } from '../../../test/iam-test.util';
import { FORM, PEPPER, SETUP_TIMEOUT_MS, TestClock, basic, openTestDb, seedAdmin, seedConsumer, startIam } from '../../../test/iam-test.util';
import { ClientCredentialsService } from './client-credentials.service';
import { CLIENT_SECRET_BYTES, generateClientSecret } from '@lgsp/data';

describe('generateClientSecret', () => {
  it('gives 256 bits of CSPRNG output, base64url, never twice the same', () => {
    const secrets = new Set(Array.from({ length: 1000 }, () => generateClientSecret()));
    expect(secrets.size).toBe(1000);
    for (const secret of [...secrets].slice(0, 20)) {
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(secret, 'base64url')).toHaveLength(CLIENT_SECRET_BYTES);
    }
    expect(CLIENT_SECRET_BYTES * 8).toBeGreaterThanOrEqual(256);
  });
});

describe.each(['pglite', 'postgres'] as const)('ClientCredentialsService on %s', (kind) => {
  let t: TestDb;
  let iam: RunningIam;
  let service: ClientCredentialsService;
  const clock = new TestClock(new Date('2026-11-23T08:00:00Z'));

  beforeAll(async () => {
    t = await openTestDb(kind);
    await seedConsumer(t.database, { id: 'tu-ha-noi.qlcb' });
    await seedAdmin(t.database, 'dgo-admin', 'admin-secret-admin-secret-admin-secret-00', ['dgo-admin']);
    iam = await startIam({ database: t.database, clock: clock.now, env: { LGSP_SECRET_ROTATION_OVERLAP_HOURS: '24' } });
    service = iam.iam.app.get(ClientCredentialsService, { strict: false });
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await iam?.close();
    await t?.close();
  });

  async function tokenStatus(clientId: string, secret: string): Promise<number> {
    const response = await request(`${iam.base}/oauth2/token`, { method: 'POST', headers: { 'content-type': FORM, authorization: basic(clientId, secret) }, body: 'grant_type=client_credentials' });
    await response.body.dump();
    return response.statusCode;
  }

  it('issues a credential whose secret is returned once and stored only as its keyed hash', async () => {
    const issued = await service.issueCredential({ consumerId: 'tu-ha-noi.qlcb', environment: 'sandbox' });
    expect(issued).toEqual({ clientId: expect.stringMatching(/^[A-Za-z0-9_-]{24}$/), clientSecret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    const [row] = await t.database.db.select().from(credentials).where(eq(credentials.clientId, issued.clientId));
    expect(JSON.stringify(row)).not.toContain(issued.clientSecret);
    expect(verifySecret(issued.clientSecret, row.secretHash, PEPPER)).toBe(true);
    expect(await tokenStatus(issued.clientId, issued.clientSecret)).toBe(200);
  });

  it('refuses an unknown consumer, a client id in use (by a credential or an admin), a bad lifetime', async () => {
    await service.issueCredential({ consumerId: 'tu-ha-noi.qlcb', environment: 'production', clientId: 'taken' });
    const failures = await Promise.all([
      service.issueCredential({ consumerId: 'nobody', environment: 'sandbox' }).catch((e: unknown) => e),
      service.issueCredential({ consumerId: 'tu-ha-noi.qlcb', environment: 'sandbox', clientId: 'taken' }).catch((e: unknown) => e),
      service.issueCredential({ consumerId: 'tu-ha-noi.qlcb', environment: 'sandbox', clientId: 'dgo-admin' }).catch((e: unknown) => e),
      service.issueCredential({ consumerId: 'tu-ha-noi.qlcb', environment: 'sandbox', tokenTtlSeconds: 86_401 }).catch((e: unknown) => e),
    ]);
    expect(failures.map((f) => (f as LgspError).code)).toEqual([ErrorCode.NotFound, ErrorCode.Unprocessable, ErrorCode.Unprocessable, ErrorCode.Unprocessable]);
    expect(failures.every((f) => f instanceof LgspError)).toBe(true);
  });

  it('rotates: the old secret works during the overlap and is refused after it', async () => {
    const issued = await service.issueCredential({ consumerId: 'tu-ha-noi.qlcb', environment: 'sandbox', clientId: 'rotating' });
    const rotated = await service.rotateClientSecret('rotating');
    expect(rotated.clientSecret).not.toBe(issued.clientSecret);
    expect(rotated.previousSecretExpiresAt).toEqual(new Date(clock.now().getTime() + 24 * 3_600_000));

    expect(await tokenStatus('rotating', rotated.clientSecret)).toBe(200);
    expect(await tokenStatus('rotating', issued.clientSecret)).toBe(200);
    clock.advance(24 * 3_600_000 - 1000);
    expect(await tokenStatus('rotating', issued.clientSecret)).toBe(200);
    clock.advance(2000);
    expect(await tokenStatus('rotating', issued.clientSecret)).toBe(401);
    expect(await tokenStatus('rotating', rotated.clientSecret)).toBe(200);
  });

  it('a second rotation ends the first overlap at once; an unknown credential does not rotate', async () => {
    const issued = await service.issueCredential({ consumerId: 'tu-ha-noi.qlcb', environment: 'sandbox', clientId: 'twice' });
    const second = await service.rotateClientSecret('twice');
    const third = await service.rotateClientSecret('twice');
    expect(await tokenStatus('twice', issued.clientSecret)).toBe(401);
    expect(await tokenStatus('twice', second.clientSecret)).toBe(200);
    expect(await tokenStatus('twice', third.clientSecret)).toBe(200);
    await expect(service.rotateClientSecret('nobody')).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });
});

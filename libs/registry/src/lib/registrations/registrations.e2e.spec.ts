import { auditLog, consumerSystems, credentials, rateLimits, registrations, subscriptions, verifySecret } from '@lgsp/data';
import { asc, eq } from 'drizzle-orm';

import { publishApi, registrationForm } from '../../../test/fixtures.util';
import { PEPPER, SETUP_TIMEOUT_MS, startTestRegistry, type TestRegistry } from '../../../test/registry-test.util';

const COMMITMENT = {
  signer: 'Nguyễn Văn A',
  position: 'Chánh Văn phòng',
  citizenId: '001085012345',
  citizenIdIssuedOn: '2021-04-10',
  citizenIdIssuedBy: 'Cục Cảnh sát QLHC về TTXH',
  documentReference: '45/CK-VPTU',
};

describe('registrations through the admin API', () => {
  let registry: TestRegistry;
  let dgo: string;
  let hanoi: string;
  let otherUnit: string;

  beforeAll(async () => {
    // Friday 2026-11-20 10:00 in Vietnam: five working days run to the end of Friday 27th.
    registry = await startTestRegistry({ now: new Date('2026-11-20T03:00:00Z'), env: { LGSP_REGISTRATIONS_PER_HOUR: '3' } });
  }, SETUP_TIMEOUT_MS);
  afterAll(() => registry?.close());
  beforeEach(async () => {
    await registry.truncate();
    registry.setNow(new Date('2026-11-20T03:00:00Z'));
    await publishApi(registry.database.db, 'directory', 'v1');
    dgo = await registry.tokenFor({ clientId: 'dgo', roles: ['dgo-admin'] });
    hanoi = await registry.tokenFor({ clientId: 'hanoi-staff', roles: ['consumer'], organisation: 'tu-ha-noi' });
    otherUnit = await registry.tokenFor({ clientId: 'hue-staff', roles: ['consumer'], organisation: 'tu-hue' });
  });

  it('walks a registration from an anonymous submission to production credentials', async () => {
    const submitted = await registry.call('POST', '/admin/v1/registrations', { body: registrationForm() });
    expect(submitted.status).toBe(201);
    expect(submitted.body).toEqual({
      reference: expect.stringMatching(/^REG-20261120-[0-9A-F]{8}$/),
      followUpSecret: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/),
      status: 'submitted',
      dueAt: '2026-11-27T17:00:00.000Z',
    });
    const { reference, followUpSecret } = submitted.body;
    const [stored] = await registry.database.db.select().from(registrations).where(eq(registrations.reference, reference));
    expect(stored.followUpSecretHash).not.toContain(followUpSecret);
    expect(verifySecret(followUpSecret, stored.followUpSecretHash, PEPPER)).toBe(true);

    // The submitter follows it with the secret; a wrong secret learns nothing, not even that it exists.
    const followed = await registry.call('GET', `/admin/v1/registrations/${reference}`, { headers: { 'x-follow-up-secret': followUpSecret } });
    expect(followed.status).toBe(200);
    // An anonymous submitter's organisation id is only a claim until the DGO approves it.
    expect(followed.body).toMatchObject({ reference, status: 'submitted', overdue: false, organisation: null, form: { organisation: { id: 'tu-ha-noi' } } });
    expect(followed.body).not.toHaveProperty('followUpSecretHash');
    const guessed = await registry.call('GET', `/admin/v1/registrations/${reference}`, { headers: { 'x-follow-up-secret': 'x'.repeat(32) } });
    expect(guessed.status).toBe(404);
    expect((await registry.call('GET', `/admin/v1/registrations/${reference}`, { token: otherUnit })).status).toBe(404);
    expect((await registry.call('GET', `/admin/v1/registrations/${reference}`, { token: hanoi })).status).toBe(404);

    // A week later it is overdue and listed as such.
    registry.setNow(new Date('2026-11-27T17:00:01Z'));
    const overdue = await registry.call('GET', '/admin/v1/registrations?overdue=true', { token: dgo });
    expect(overdue.body.map((r: { reference: string }) => r.reference)).toEqual([reference]);
    expect(overdue.body[0].overdue).toBe(true);

    // A consumer admin cannot approve.
    const forbidden = await registry.call('POST', `/admin/v1/registrations/${reference}/approve`, { token: hanoi, body: { consumerId: 'tu-ha-noi.qlcb' } });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.code).toBe('forbidden');

    const approved = await registry.call('POST', `/admin/v1/registrations/${reference}/approve`, { token: dgo, body: { consumerId: 'tu-ha-noi.qlcb', note: 'Đồng ý' } });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', consumerId: 'tu-ha-noi.qlcb', organisation: 'tu-ha-noi', decidedBy: 'dgo', decisionNote: 'Đồng ý' });
    expect((await registry.call('GET', `/admin/v1/registrations/${reference}`, { token: hanoi })).status).toBe(200);
    const [consumer] = await registry.database.db.select().from(consumerSystems).where(eq(consumerSystems.id, 'tu-ha-noi.qlcb'));
    expect(consumer).toMatchObject({ name: 'Hệ thống quản lý cán bộ', organisation: 'tu-ha-noi', status: 'active', securityLevel: 3, maxClassification: 'noi-bo', connectionOption: 2 });

    // Approving twice is a conflict, not a second consumer.
    expect((await registry.call('POST', `/admin/v1/registrations/${reference}/approve`, { token: dgo, body: { consumerId: 'tu-ha-noi.qlcb' } })).status).toBe(409);

    // Production cannot be requested before sandbox.
    const early = await registry.call('POST', `/admin/v1/registrations/${reference}/production-request`, { token: hanoi, body: { securityAttestation: 'BB-01', commitment: COMMITMENT } });
    expect(early.status).toBe(409);

    const sandbox = await registry.call('POST', `/admin/v1/registrations/${reference}/sandbox-credentials`, { token: dgo });
    expect(sandbox.status).toBe(201);
    expect(sandbox.body).toMatchObject({
      registration: { status: 'sandbox' },
      credential: { clientId: expect.any(String), clientSecret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), environment: 'sandbox' },
      subscriptions: ['directory v1'],
      skipped: [],
    });
    const [credential] = await registry.database.db.select().from(credentials).where(eq(credentials.clientId, sandbox.body.credential.clientId));
    expect(credential).toMatchObject({ consumerId: 'tu-ha-noi.qlcb', environment: 'sandbox', status: 'active' });
    expect(verifySecret(sandbox.body.credential.clientSecret, credential.secretHash, PEPPER)).toBe(true);
    expect(await registry.database.db.select({ environment: subscriptions.environment }).from(subscriptions)).toEqual([{ environment: 'sandbox' }]);
    expect(registry.published).toContainEqual({ kind: 'registry' });

    // Production needs the sandbox tests done first: a rule, 422, and nothing written.
    const notTested = await registry.call('POST', `/admin/v1/registrations/${reference}/production-request`, { token: hanoi, body: { securityAttestation: 'BB-01', commitment: COMMITMENT } });
    expect(notTested.status).toBe(422);
    expect(notTested.body).toMatchObject({ code: 'unprocessable', rule: 'sandbox-tests-not-done' });

    // Form 02 is validated field by field.
    const badCommitment = await registry.call('POST', `/admin/v1/registrations/${reference}/production-request`, {
      token: hanoi,
      body: { securityAttestation: 'BB-01', commitment: { ...COMMITMENT, citizenId: '12345' } },
    });
    expect(badCommitment.status).toBe(400);
    expect(badCommitment.body.errors).toEqual([expect.objectContaining({ location: 'commitment.citizenId' })]);

    expect((await registry.call('POST', `/admin/v1/registrations/${reference}/sandbox-tests-done`, { token: otherUnit })).status).toBe(404);
    expect((await registry.call('POST', `/admin/v1/registrations/${reference}/sandbox-tests-done`, { token: hanoi })).status).toBe(200);
    const requested = await registry.call('POST', `/admin/v1/registrations/${reference}/production-request`, { token: hanoi, body: { securityAttestation: 'BB-01', commitment: COMMITMENT } });
    expect(requested.status).toBe(200);
    expect(requested.body).toMatchObject({ status: 'production-requested', productionRequest: { securityAttestation: 'BB-01', commitment: COMMITMENT } });

    const production = await registry.call('POST', `/admin/v1/registrations/${reference}/production-credentials`, { token: dgo });
    expect(production.status).toBe(201);
    expect(production.body).toMatchObject({ registration: { status: 'production', productionApprovedAt: expect.any(String) }, credential: { environment: 'production' } });
    const environments = await registry.database.db.select({ environment: subscriptions.environment }).from(subscriptions).orderBy(asc(subscriptions.environment));
    expect(environments).toEqual([{ environment: 'production' }, { environment: 'sandbox' }]);

    // Every step is on the audit trail, with who did it; no secret is.
    const trail = await registry.database.db.select().from(auditLog).orderBy(asc(auditLog.id));
    expect(trail.map((e) => [e.action, e.actor])).toEqual([
      ['registration.submit', expect.stringMatching(/^anonymous@/)],
      ['registration.approve', 'dgo'],
      ['registration.issue-sandbox-credentials', 'dgo'],
      ['registration.sandbox-tests-done', 'hanoi-staff'],
      ['registration.request-production', 'hanoi-staff'],
      ['registration.issue-production-credentials', 'dgo'],
    ]);
    const trailText = JSON.stringify(trail);
    expect(trailText).not.toContain(sandbox.body.credential.clientSecret);
    expect(trailText).not.toContain(production.body.credential.clientSecret);
    expect(trailText).not.toContain(followUpSecret);
  });

  it('rejects with a reason the unit can read', async () => {
    const { body } = await registry.call('POST', '/admin/v1/registrations', { token: hanoi, body: registrationForm() });
    const rejected = await registry.call('POST', `/admin/v1/registrations/${body.reference}/reject`, { token: dgo, body: { reason: 'Thiếu văn bản phê duyệt cấp độ' } });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ status: 'rejected', decisionNote: 'Thiếu văn bản phê duyệt cấp độ' });
    expect((await registry.call('POST', `/admin/v1/registrations/${body.reference}/approve`, { token: dgo, body: { consumerId: 'x.y' } })).status).toBe(409);
    const mine = await registry.call('GET', '/admin/v1/registrations', { token: hanoi });
    expect(mine.body).toHaveLength(1);
    expect((await registry.call('GET', '/admin/v1/registrations', { token: otherUnit })).body).toEqual([]);
  });

  it('grants higher rates only when the DGO approves them', async () => {
    const form = registrationForm({ limits: { readPerMinute: 5000, reason: 'Đồng bộ hồ sơ cán bộ toàn thành phố' } });
    const { body } = await registry.call('POST', '/admin/v1/registrations', { body: form });
    await registry.call('POST', `/admin/v1/registrations/${body.reference}/approve`, { token: dgo, body: { consumerId: 'tu-ha-noi.qlcb', grantLimits: true } });
    expect(await registry.database.db.select({ read: rateLimits.readPerMinute, write: rateLimits.writePerMinute }).from(rateLimits)).toEqual([{ read: 5000, write: 300 }]);
  });

  describe('the rules of form 01: 422 naming the rule, nothing written', () => {
    async function refused(form: Record<string, unknown>) {
      const response = await registry.call('POST', '/admin/v1/registrations', { body: form });
      expect(response.status).toBe(422);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(await registry.database.db.select().from(registrations)).toEqual([]);
      expect(await registry.database.db.select().from(auditLog)).toEqual([]);
      return response.body;
    }
    const row = (classification: string) => ({ api: 'directory', version: 'v1', classification, frequency: 'daily', method: 'api', expectedStart: '2027-01-01', purpose: 'x' });

    it('refuses Tuyệt mật outright', async () => {
      const body = await refused(registrationForm({ maxClassification: 'tuyet-mat', connectionOption: 1 }));
      expect(body).toMatchObject({ code: 'unprocessable', rule: 'tuyet-mat-refused', errors: [{ location: '/maxClassification', rule: 'tuyet-mat-refused', message: expect.stringContaining('Tuyệt mật') }] });
    });

    it('needs connection option 1 for Mật or Tối mật', async () => {
      await publishApi(registry.database.db, 'party-records', 'v1', 'mat');
      const body = await refused(registrationForm({ maxClassification: 'mat', data: [{ ...row('mat'), api: 'party-records' }] }));
      expect(body).toMatchObject({ rule: 'classified-needs-party-wan', errors: [{ location: '/connectionOption', rule: 'classified-needs-party-wan' }] });
    });

    it('needs a written reason for a rate above the defaults', async () => {
      const body = await refused(registrationForm({ limits: { writePerMinute: 301 } }));
      expect(body).toMatchObject({ rule: 'limit-needs-reason', errors: [{ location: '/limits/reason', message: expect.stringContaining('300') }] });
    });

    it('refuses data above the declared classification, below the API’s, or of an unknown API — every broken rule listed', async () => {
      await publishApi(registry.database.db, 'party-records', 'v1', 'mat');
      const body = await refused(
        registrationForm({ data: [row('mat'), { ...row('noi-bo'), api: 'party-records' }, { ...row('noi-bo'), api: 'nothing-here' }] }),
      );
      expect(body.errors).toEqual([
        { location: '/data/0/classification', rule: 'data-above-declared-classification', message: expect.any(String) },
        { location: '/data/1/classification', rule: 'classification-below-api', message: 'party-records v1 is classified mat, not noi-bo' },
        { location: '/data/2/api', rule: 'api-unknown', message: 'No published API nothing-here v1' },
        { location: '/connectionOption', rule: 'classified-needs-party-wan', message: expect.any(String) },
      ]);
    });

    it('answers 400 listing every malformed field before any rule', async () => {
      const response = await registry.call('POST', '/admin/v1/registrations', {
        body: registrationForm({ security: { level: 6, approvalDocument: '' }, technicalContact: { name: 'B', phone: 'call me', email: 'nope' } }),
      });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('validation_failed');
      expect(response.body.errors.map((e: { location: string }) => e.location).sort()).toEqual([
        'security.approvalDocument',
        'security.level',
        'technicalContact.email',
        'technicalContact.phone',
      ]);
    });
  });

  it('limits anonymous submissions per address and hour, not authenticated ones', async () => {
    for (let i = 0; i < 3; i++) expect((await registry.call('POST', '/admin/v1/registrations', { body: registrationForm() })).status).toBe(201);
    const limited = await registry.call('POST', '/admin/v1/registrations', { body: registrationForm() });
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBe(3600);
    expect((await registry.call('POST', '/admin/v1/registrations', { token: hanoi, body: registrationForm() })).status).toBe(201);
    registry.setNow(new Date(registry.now().getTime() + 3_600_001));
    expect((await registry.call('POST', '/admin/v1/registrations', { body: registrationForm() })).status).toBe(201);
  });

  it('authenticates every admin route: no token 401, a bad one 401, a token without the admin scope 403', async () => {
    const none = await registry.call('GET', '/admin/v1/registrations');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect((await registry.call('GET', '/admin/v1/registrations', { token: 'x.y.z' })).status).toBe(401);
    const expired = await registry.tokenFor({ clientId: 'dgo', roles: ['dgo-admin'] }, { expiresInSeconds: -120 });
    expect((await registry.call('GET', '/admin/v1/registrations', { token: expired })).status).toBe(401);
    const consumerToken = await registry.tokenFor({ clientId: 'dgo', roles: ['dgo-admin'] }, { scope: 'directory:v1' });
    expect((await registry.call('GET', '/admin/v1/registrations', { token: consumerToken })).status).toBe(403);
  });
});

describe('anonymous registrations behind a trusted proxy', () => {
  let registry: TestRegistry;

  beforeAll(async () => {
    registry = await startTestRegistry({ env: { LGSP_REGISTRATIONS_PER_HOUR: '1', LGSP_TRUSTED_PROXIES: '127.0.0.1' } });
    await publishApi(registry.database.db, 'directory', 'v1');
  }, SETUP_TIMEOUT_MS);
  afterAll(() => registry?.close());

  it("counts each unit's own address (X-Forwarded-For through the proxy), not the proxy's", async () => {
    const from = (address: string) => registry.call('POST', '/admin/v1/registrations', { body: registrationForm(), headers: { 'x-forwarded-for': address } });
    expect((await from('198.51.100.7')).status).toBe(201);
    expect((await from('198.51.100.8')).status).toBe(201);
    expect((await from('198.51.100.7')).status).toBe(429);
    const trail = await registry.database.db.select({ actor: auditLog.actor }).from(auditLog).orderBy(asc(auditLog.id));
    expect(trail.map((e) => e.actor)).toEqual(['anonymous@198.51.100.7', 'anonymous@198.51.100.8']);
  });
});

import { createPrivateKey, randomBytes, randomUUID } from 'node:crypto';

import { SignJWT } from 'jose';
import { request } from 'undici';

import type { RunningIam, TestDb } from '../../test/iam-test.util';
import {
  FORM,
  SETUP_TIMEOUT_MS,
  basic,
  dumpAllTables,
  makeCertificate,
  openTestDb,
  seedAdmin,
  seedApiVersion,
  seedCertificate,
  seedConsumer,
  startIam,
  subscribe,
} from '../../test/iam-test.util';
import { ClientCredentialsService } from './clients/client-credentials.service';
import { JWT_BEARER_ASSERTION_TYPE } from './iam.constant';

/**
 * Canaries: unique secrets, the tokens issued with them and a client assertion go through every
 * endpoint, successes and failures alike, and are then looked for in every log line (at trace
 * level), every ledger record and every row of every table.
 */
describe.each(['pglite', 'postgres'] as const)('no secret or token leaves the request on %s', (kind) => {
  let t: TestDb;
  let iam: RunningIam;

  beforeAll(async () => {
    t = await openTestDb(kind);
    await seedConsumer(t.database, { id: 'tu-ha-noi.qlcb' });
    await subscribe(t.database, 'tu-ha-noi.qlcb', await seedApiVersion(t.database, 'directory', 'v1'), 'sandbox');
    iam = await startIam({ database: t.database, logLevel: 'trace', env: { LGSP_AUTH_FAILURE_LIMIT: '3' } });
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await iam?.close();
    await t?.close();
  });

  it('finds none of them in logs, ledger records or stored rows', async () => {
    const canaries: string[] = [];
    const credentials = iam.iam.app.get(ClientCredentialsService, { strict: false });
    const issued = await credentials.issueCredential({ consumerId: 'tu-ha-noi.qlcb', environment: 'sandbox', clientId: 'canary-client' });
    const rotated = await credentials.rotateClientSecret('canary-client');
    const adminSecret = `admin-canary-${randomBytes(16).toString('hex')}`;
    await seedAdmin(t.database, 'canary-admin', adminSecret, ['dgo-admin']);
    const wrongSecret = `wrong-canary-${randomBytes(16).toString('hex')}`;
    canaries.push(issued.clientSecret, rotated.clientSecret, adminSecret, wrongSecret);

    const certificate = makeCertificate('ec');
    await seedCertificate(t.database, 'canary-cert', 'tu-ha-noi.qlcb', certificate.certificatePem);
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'canary-cert' })
      .setIssuer('canary-client')
      .setSubject('canary-client')
      .setAudience(iam.config.publicUrl)
      .setIssuedAt()
      .setExpirationTime('1m')
      .setJti(randomUUID())
      .sign(createPrivateKey(certificate.privateKeyPem));
    canaries.push(assertion.split('.')[2]);

    const post = async (path: string, body: string, authorization?: string) => {
      const response = await request(`${iam.base}${path}`, { method: 'POST', headers: { 'content-type': FORM, ...(authorization === undefined ? {} : { authorization }) }, body });
      return (await response.body.json().catch(() => undefined)) as { access_token?: string } | undefined;
    };
    const tokens = [
      (await post('/oauth2/token', 'grant_type=client_credentials', basic('canary-client', rotated.clientSecret)))?.access_token,
      (await post('/oauth2/token', `grant_type=client_credentials&client_id=canary-client&client_secret=${issued.clientSecret}`))?.access_token,
      (await post('/oauth2/token', `grant_type=client_credentials&client_assertion_type=${encodeURIComponent(JWT_BEARER_ASSERTION_TYPE)}&client_assertion=${assertion}`))?.access_token,
      (await post('/oauth2/token', 'grant_type=client_credentials', basic('canary-admin', adminSecret)))?.access_token,
    ];
    expect(tokens.every((token) => typeof token === 'string')).toBe(true);
    for (const token of tokens as string[]) canaries.push(token, token.split('.')[2]);

    await post('/oauth2/introspect', `token=${tokens[0]}`, basic('canary-admin', adminSecret));
    await post('/oauth2/revoke', `token=${tokens[1]}`, basic('canary-client', rotated.clientSecret));
    // Failures, a burst and a lock-out included, and a secret where a parameter name goes.
    for (let i = 0; i < 4; i++) await post('/oauth2/token', 'grant_type=client_credentials', basic('canary-client', wrongSecret));
    await post('/oauth2/token', `grant_type=client_credentials&${wrongSecret}=1&${wrongSecret}=2`, basic('canary-client', rotated.clientSecret));
    await post('/oauth2/token', `grant_type=client_credentials&client_id=canary-client&client_secret=${wrongSecret}`, basic('canary-client', wrongSecret));
    await post('/oauth2/token', `grant_type=client_credentials&client_id=canary-client&client_secret=${wrongSecret}&pad=${'x'.repeat(20_000)}`);
    await request(`${iam.base}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_secret: wrongSecret }) }).then((r) => r.body.dump());
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(iam.sink.records.some((r) => r.securityEvent === 'authentication-locked-out')).toBe(true);
    const logs = iam.lines.join('\n');
    const ledger = JSON.stringify(iam.sink.records);
    const rows = await dumpAllTables(t.database);
    expect(logs.length).toBeGreaterThan(1000);
    expect(rows).toContain('canary-client');
    for (const canary of canaries) {
      expect({ canary: canary.slice(0, 12), inLogs: logs.includes(canary), inLedger: ledger.includes(canary), inRows: rows.includes(canary) }).toEqual({
        canary: canary.slice(0, 12),
        inLogs: false,
        inLedger: false,
        inRows: false,
      });
    }
  });
});

import { createPrivateKey, randomUUID } from 'node:crypto';

import type { KeyObject } from 'node:crypto';

import { SignJWT, decodeJwt } from 'jose';
import { request } from 'undici';

import type { KeyKind, RunningIam, TestCertificate, TestDb } from '../../../test/iam-test.util';
import {
  FORM,
  SETUP_TIMEOUT_MS,
  TestClock,
  makeCertificate,
  openTestDb,
  seedApiVersion,
  seedCertificate,
  seedConsumer,
  seedCredential,
  startIam,
  subscribe,
} from '../../../test/iam-test.util';
import { JWT_BEARER_ASSERTION_TYPE } from '../iam.constant';

const ALGORITHM: Record<KeyKind, string> = { ec: 'ES256', rsa: 'RS256', ed25519: 'EdDSA' };

interface Signer {
  readonly kid: string;
  readonly key: KeyObject;
  readonly alg: string;
}

describe('private_key_jwt (RFC 7523) with a certificate registered for the system', () => {
  let t: TestDb;
  let iam: RunningIam;
  const clock = new TestClock(new Date());
  const certificates = {} as Record<KeyKind | 'other-system' | 'unregistered' | 'revoked', TestCertificate>;
  const signer = (kind: keyof typeof certificates, alg?: string): Signer => ({
    kid: `cert-${kind}`,
    key: createPrivateKey(certificates[kind].privateKeyPem),
    alg: alg ?? ALGORITHM[kind as KeyKind] ?? 'ES256',
  });

  beforeAll(async () => {
    for (const kind of ['ec', 'rsa', 'ed25519'] as const) certificates[kind] = makeCertificate(kind, 1);
    certificates['other-system'] = makeCertificate('ec', 1);
    certificates.unregistered = makeCertificate('ec', 1);
    certificates.revoked = makeCertificate('ec', 1);
    t = await openTestDb('pglite');
    const db = t.database;
    await seedConsumer(db, { id: 'tu-ha-noi.qlcb' });
    await seedConsumer(db, { id: 'other.system' });
    await subscribe(db, 'tu-ha-noi.qlcb', await seedApiVersion(db, 'directory', 'v1'), 'sandbox');
    await seedCredential(db, { clientId: 'jwt-client', consumerId: 'tu-ha-noi.qlcb', secret: 'unused-secret-unused-secret-unused-secret' });
    for (const kind of ['ec', 'rsa', 'ed25519'] as const) await seedCertificate(db, `cert-${kind}`, 'tu-ha-noi.qlcb', certificates[kind].certificatePem);
    await seedCertificate(db, 'cert-other-system', 'other.system', certificates['other-system'].certificatePem);
    await seedCertificate(db, 'cert-revoked', 'tu-ha-noi.qlcb', certificates.revoked.certificatePem, 'revoked');
    iam = await startIam({ database: db, clock: clock.now });
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await iam?.close();
    await t?.close();
  });

  beforeEach(() => clock.set(new Date()));

  interface AssertionOptions {
    iss?: string;
    sub?: string;
    aud?: string | string[];
    expiresIn?: number;
    jti?: string | null;
    exp?: boolean;
  }

  async function assertion(s: Signer, options: AssertionOptions = {}): Promise<string> {
    const now = Math.floor(clock.now().getTime() / 1000);
    const jwt = new SignJWT({})
      .setProtectedHeader({ alg: s.alg, kid: s.kid })
      .setIssuer(options.iss ?? 'jwt-client')
      .setSubject(options.sub ?? 'jwt-client')
      .setAudience(options.aud ?? iam.config.publicUrl)
      .setIssuedAt(now);
    if (options.exp !== false) jwt.setExpirationTime(now + (options.expiresIn ?? 60));
    if (options.jti !== null) jwt.setJti(options.jti ?? randomUUID());
    return jwt.sign(s.key);
  }

  async function post(clientAssertion: string, extra = '') {
    const body = `grant_type=client_credentials&client_assertion_type=${encodeURIComponent(JWT_BEARER_ASSERTION_TYPE)}&client_assertion=${clientAssertion}${extra}`;
    const response = await request(`${iam.base}/oauth2/token`, { method: 'POST', headers: { 'content-type': FORM }, body });
    return { status: response.statusCode, challenge: response.headers['www-authenticate'], body: (await response.body.json()) as Record<string, unknown> };
  }

  const refused = { status: 401, challenge: 'private_key_jwt realm="LGSP"', body: { error: 'invalid_client', error_description: 'Client authentication failed' } };

  it.each(['ec', 'rsa', 'ed25519'] as const)('accepts an assertion signed with the %s key of a registered certificate', async (kind) => {
    const response = await post(await assertion(signer(kind)));
    expect(response.status).toBe(200);
    expect(decodeJwt(response.body.access_token as string)).toMatchObject({ sub: 'tu-ha-noi.qlcb', client_id: 'jwt-client', scope: 'directory:v1' });
  });

  it('accepts RS256 and PS256 alike with an RSA certificate, and the token endpoint URL as audience, with client_id given', async () => {
    expect((await post(await assertion(signer('rsa', 'PS256')))).status).toBe(200);
    const audience = `${iam.config.publicUrl}/oauth2/token`;
    expect((await post(await assertion(signer('ec'), { aud: audience }), '&client_id=jwt-client')).status).toBe(200);
  });

  it('refuses an assertion signed with another key than the certificate one', async () => {
    const wrong: Signer = { kid: 'cert-ec', key: createPrivateKey(certificates.unregistered.privateKeyPem), alg: 'ES256' };
    expect(await post(await assertion(wrong))).toEqual(refused);
  });

  it('refuses an algorithm that does not match the certificate key', async () => {
    const confused: Signer = { kid: 'cert-rsa', key: createPrivateKey(certificates.ec.privateKeyPem), alg: 'ES256' };
    expect(await post(await assertion(confused))).toEqual(refused);
  });

  it('refuses an unregistered kid, a certificate of another system, a revoked certificate', async () => {
    expect(await post(await assertion({ ...signer('unregistered'), kid: 'cert-unregistered' }))).toEqual(refused);
    expect(await post(await assertion(signer('other-system')))).toEqual(refused);
    expect(await post(await assertion(signer('revoked')))).toEqual(refused);
  });

  it('refuses a certificate past its notAfter', async () => {
    clock.advance(3 * 86_400_000);
    expect(await post(await assertion(signer('ec')))).toEqual(refused);
  });

  it('refuses a replayed jti', async () => {
    const once = await assertion(signer('ec'));
    expect((await post(once)).status).toBe(200);
    expect(await post(once)).toEqual(refused);
    const jti = randomUUID();
    expect((await post(await assertion(signer('ec'), { jti }))).status).toBe(200);
    expect(await post(await assertion(signer('ec'), { jti }))).toEqual(refused);
  });

  it.each<[string, AssertionOptions]>([
    ['a wrong audience', { aud: 'https://elsewhere.example' }],
    ['an issuer other than the client', { iss: 'someone-else' }],
    ['no exp', { exp: false }],
    ['no jti', { jti: null }],
    ['an exp more than 5 minutes ahead', { expiresIn: 600 }],
    ['an expired assertion', { expiresIn: -120 }],
  ])('refuses %s', async (_name, options) => {
    expect(await post(await assertion(signer('ec'), options))).toEqual(refused);
  });

  it('refuses an assertion for another client than client_id, and garbage', async () => {
    expect(await post(await assertion(signer('ec')), '&client_id=other-client')).toEqual(refused);
    expect(await post('not.a.jwt')).toEqual(refused);
  });

  it('refuses an unsupported assertion type, and an assertion without its type', async () => {
    const jwt = await assertion(signer('ec'));
    const wrongType = await request(`${iam.base}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': FORM },
      body: `grant_type=client_credentials&client_assertion_type=urn%3Aexample&client_assertion=${jwt}`,
    });
    expect({ status: wrongType.statusCode, body: await wrongType.body.json() }).toEqual({
      status: 400,
      body: { error: 'invalid_request', error_description: `client_assertion_type must be ${JWT_BEARER_ASSERTION_TYPE}` },
    });
    const untyped = await request(`${iam.base}/oauth2/token`, { method: 'POST', headers: { 'content-type': FORM }, body: `grant_type=client_credentials&client_assertion=${jwt}` });
    expect(untyped.statusCode).toBe(400);
    await untyped.body.dump();
  });
});

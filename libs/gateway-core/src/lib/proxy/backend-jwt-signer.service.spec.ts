import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { BACKEND_JWT_TYP } from '@lgsp/contracts';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';

import { GENERATED_BACKEND_JWT_KEY_FILE, loadBackendJwtKey } from './backend-jwt-key.util';
import { BackendJwtSigner } from './backend-jwt-signer.service';

const ISSUER = 'https://lgsp.example';
const ORIGIN = 'http://provider.example:9100';

describe('loadBackendJwtKey', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'lgsp-bjwt-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('generates a P-256 key once into the data dir (0600) and reuses it on the next start', async () => {
    const first = await loadBackendJwtKey({ dataDir: join(dir, 'data') });
    const file = join(dir, 'data', GENERATED_BACKEND_JWT_KEY_FILE);
    expect(first).toMatchObject({ file, generated: true, publicJwk: { kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' } });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(first.publicJwk).not.toHaveProperty('d');
    const second = await loadBackendJwtKey({ dataDir: join(dir, 'data') });
    expect(second.generated).toBe(false);
    expect(second.publicJwk).toEqual(first.publicJwk);
  });

  it('reads LGSP_BACKEND_JWT_KEY, with a kid every replica computes alike', async () => {
    const file = join(dir, 'shared.pem');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await writeFile(file, privateKey.export({ format: 'pem', type: 'pkcs8' }));
    const a = await loadBackendJwtKey({ keyFile: file, dataDir: join(dir, 'replica-a') });
    const b = await loadBackendJwtKey({ keyFile: file, dataDir: join(dir, 'replica-b') });
    expect(a.generated).toBe(false);
    expect(a.publicJwk.kid).toBe(b.publicJwk.kid);
    expect(a.publicJwk.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it.each([
    ['a P-384 key', () => generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'pem', type: 'pkcs8' }), /must hold an EC P-256 key/],
    ['an RSA key', () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }), /must hold an EC P-256 key/],
    ['a SEC1 EC key', () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'sec1' }), /not a PKCS#8 PEM/],
    ['garbage', () => '-----BEGIN PRIVATE KEY-----\nbm9wZQ==\n-----END PRIVATE KEY-----\n', /could not be read as a private key/],
  ])('refuses %s, naming the variable and the file', async (_name, pem, message) => {
    const file = join(dir, 'bad.pem');
    await writeFile(file, pem());
    await expect(loadBackendJwtKey({ keyFile: file, dataDir: dir })).rejects.toThrow(message);
    await expect(loadBackendJwtKey({ keyFile: file, dataDir: dir })).rejects.toThrow(`LGSP_BACKEND_JWT_KEY: ${file}`);
  });

  it('refuses a key file that cannot be read', async () => {
    await expect(loadBackendJwtKey({ keyFile: join(dir, 'missing.pem'), dataDir: dir })).rejects.toThrow(/LGSP_BACKEND_JWT_KEY: .*missing\.pem cannot be read \(ENOENT\)/);
  });
});

describe('BackendJwtSigner', () => {
  let dir: string;
  let signer: BackendJwtSigner;
  let now: number;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lgsp-bjwt-'));
    now = Date.now();
    signer = new BackendJwtSigner(await loadBackendJwtKey({ dataDir: dir }), { issuer: ISSUER, clock: () => now, maxEntries: 3 });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('signs an ES256 JWT naming the consumer for the provider origin, verifiable with the published JWKS', async () => {
    const jwt = await signer.jwtFor('tu-ha-noi.qlcb', 'demo-consumer', 'sandbox', ORIGIN);
    const { payload, protectedHeader } = await jwtVerify(jwt, createLocalJWKSet(signer.jwks), { issuer: ISSUER, audience: ORIGIN, typ: BACKEND_JWT_TYP, algorithms: ['ES256'] });
    expect(protectedHeader).toEqual({ alg: 'ES256', typ: 'lgsp-backend+jwt', kid: signer.kid });
    const iat = Math.floor(now / 1000);
    expect(payload).toEqual({ iss: ISSUER, aud: ORIGIN, sub: 'tu-ha-noi.qlcb', client_id: 'demo-consumer', env: 'sandbox', jti: expect.stringMatching(/^[0-9a-f-]{36}$/), iat, exp: iat + 60 });
  });

  it('reuses a JWT for 30 s of its 60, returned at once, then signs a fresh one', async () => {
    const first = await signer.jwtFor('bo-noi-vu.qlcb', 'bnv', 'production', ORIGIN);
    const again = signer.jwtFor('bo-noi-vu.qlcb', 'bnv', 'production', ORIGIN);
    expect(again).toBe(first);
    now += 29_999;
    expect(signer.jwtFor('bo-noi-vu.qlcb', 'bnv', 'production', ORIGIN)).toBe(first);
    now += 1;
    const renewed = signer.jwtFor('bo-noi-vu.qlcb', 'bnv', 'production', ORIGIN);
    expect(renewed).toBeInstanceOf(Promise);
    const fresh = await renewed;
    expect(fresh).not.toBe(first);
    expect(decodeProtectedHeader(fresh).kid).toBe(signer.kid);
  });

  it('signs once for concurrent first calls, and apart for each caller, environment and origin', async () => {
    const [a, b] = await Promise.all([signer.jwtFor('c1', 'k1', 'sandbox', ORIGIN), signer.jwtFor('c1', 'k1', 'sandbox', ORIGIN)]);
    expect(a).toBe(b);
    const others = await Promise.all([
      signer.jwtFor('c2', 'k1', 'sandbox', ORIGIN),
      signer.jwtFor('c1', 'k2', 'sandbox', ORIGIN),
      signer.jwtFor('c1', 'k1', 'production', ORIGIN),
      signer.jwtFor('c1', 'k1', 'sandbox', 'http://other.example'),
    ]);
    expect(new Set([a, ...others]).size).toBe(5);
  });
});

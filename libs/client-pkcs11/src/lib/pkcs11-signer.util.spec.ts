import { execFileSync } from 'node:child_process';
import { constants, createPrivateKey, createPublicKey, createVerify, sign as cryptoSign, verify, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { MemoryReplayGuard, signLgspRequest, verifyLgspRequestSignature } from '@lgsp/signature';

import { Pkcs11SignerError, Pkcs11SignerErrorCode } from './pkcs11-signer.error';
import type { Pkcs11SignatureAlgorithm, Pkcs11Signer, Pkcs11SignerOptions } from './pkcs11-signer.type';
import { openPkcs11Signer } from './pkcs11-signer.util';

// SoftHSM stands in for the Government Cipher Committee's USB tokens; .ci/run installs softhsm2.
const MODULE_PATH = '/usr/lib/softhsm/libsofthsm2.so';
const TOKEN = 'lgsp-test';
const PIN = '1234';

let dir: string;
let slot: number;
const pem: Record<'ec' | 'rsa', string> = { ec: '', rsa: '' };
const certificates: Partial<Record<'ec' | 'rsa', X509Certificate>> = {};

function run(command: string, args: readonly string[]): string {
  return execFileSync(command, args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function importKey(file: string, label: string, id: string): void {
  run('softhsm2-util', ['--import', file, '--token', TOKEN, '--label', label, '--id', id, '--pin', PIN]);
}

beforeAll(() => {
  // test/softhsm.global-setup.js points SOFTHSM2_CONF at a token directory of its own.
  const conf = process.env['SOFTHSM2_CONF'];
  if (conf === undefined || !conf.startsWith(tmpdir())) throw new Error('SOFTHSM2_CONF is not set by test/softhsm.global-setup.js');
  dir = mkdtempSync(join(dirname(conf), 'keys-'));
  const initialised = run('softhsm2-util', ['--init-token', '--free', '--label', TOKEN, '--pin', PIN, '--so-pin', '5678']);
  slot = Number(/reassigned to slot (\d+)/.exec(initialised)?.[1]);

  run('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'ec.pem']);
  run('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'rsa.pem']);
  run('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024', '-out', 'rsa-short.pem']);
  run('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384', '-out', 'p384.pem']);
  for (const name of ['ec', 'rsa'] as const) {
    run('openssl', ['req', '-x509', '-new', '-key', `${name}.pem`, '-subj', `/CN=lgsp-${name}-test`, '-days', '1', '-out', `${name}.crt`]);
    pem[name] = readFileSync(join(dir, `${name}.pem`), 'utf8');
    certificates[name] = new X509Certificate(readFileSync(join(dir, `${name}.crt`)));
  }
  importKey('ec.pem', 'ec-key', '01');
  importKey('rsa.pem', 'rsa-key', '02');
  importKey('rsa-short.pem', 'rsa-short', '03');
  importKey('p384.pem', 'p384-key', '04');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const signers: Pkcs11Signer[] = [];
afterEach(() => signers.splice(0).forEach((signer) => signer.close()));

function open(options: Partial<Pkcs11SignerOptions> & Pick<Pkcs11SignerOptions, 'alg'>): Pkcs11Signer {
  const signer = openPkcs11Signer({ modulePath: MODULE_PATH, tokenLabel: TOKEN, pin: PIN, keyLabel: 'ec-key', keyid: 'tu-ha-noi-2026', ...options } as Pkcs11SignerOptions);
  signers.push(signer);
  return signer;
}

function openError(options: Partial<Pkcs11SignerOptions> & Pick<Pkcs11SignerOptions, 'alg'>): Pkcs11SignerError {
  try {
    open(options);
  } catch (error) {
    return error as Pkcs11SignerError;
  }
  throw new Error('openPkcs11Signer did not throw');
}

const base = Buffer.from('"@method": POST\n"@signature-params": ("@method");created=1772438400;keyid="tu-ha-noi-2026"');

const CASES: readonly { alg: Pkcs11SignatureAlgorithm; key: 'ec' | 'rsa'; select: Partial<Pkcs11SignerOptions> }[] = [
  { alg: 'ecdsa-p256-sha256', key: 'ec', select: { keyLabel: 'ec-key' } },
  { alg: 'rsa-v1_5-sha256', key: 'rsa', select: { keyId: '02', keyLabel: undefined } },
  { alg: 'rsa-pss-sha512', key: 'rsa', select: { keyLabel: 'rsa-key' } },
];

describe('openPkcs11Signer with SoftHSM', () => {
  it('signs ECDSA P-256 inside the token and returns r‖s, as RFC 9421 wants', async () => {
    const signature = await open({ alg: 'ecdsa-p256-sha256' }).sign(base);

    expect(signature).toHaveLength(64);
    expect(verify('sha256', base, { key: certificates.ec!.publicKey, dsaEncoding: 'ieee-p1363' }, signature)).toBe(true);
  });

  it('signs RSASSA-PKCS1-v1_5 SHA-256 exactly as the same key does in memory', async () => {
    const signature = await open({ alg: 'rsa-v1_5-sha256', slot, keyId: '02', tokenLabel: undefined, keyLabel: undefined }).sign(base);

    expect(signature.equals(cryptoSign('sha256', base, createPrivateKey(pem.rsa)))).toBe(true);
  });

  it('signs RSASSA-PSS SHA-512 with MGF1-SHA-512 and a 64-byte salt', async () => {
    const signature = await open({ alg: 'rsa-pss-sha512', keyLabel: 'rsa-key' }).sign(base);
    const pss = { key: certificates.rsa!.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING };

    expect(signature).toHaveLength(256);
    expect(createVerify('sha512').update(base).verify({ ...pss, saltLength: 64 }, signature)).toBe(true);
    expect(createVerify('sha512').update(base).verify({ ...pss, saltLength: 32 }, signature)).toBe(false);
  });

  it.each(CASES)('signs a request that the gateway verifies against the certificate ($alg)', async ({ alg, key, select }) => {
    const signer = open({ alg, ...select });
    const request = {
      method: 'POST',
      url: 'https://lgsp.example.gov.vn/v1/documents/van-ban?nam=2026',
      headers: { 'x-request-id': '0f9a6f9e-5c1b-4a8e-9d2f-3b7c6a1e2d4f', 'content-type': 'application/json' },
      body: Buffer.from('{"soHieu":"123/QD-UBND"}'),
    };

    const signed = await signLgspRequest(request, { keyid: signer.keyid, alg: signer.alg, signer: (bytes) => signer.sign(bytes), now: new Date() });
    const verification = await verifyLgspRequestSignature(
      { ...request, headers: { ...request.headers, ...signed.headers } },
      {
        keys: (keyid) => (keyid === 'tu-ha-noi-2026' ? { consumerId: 'tu-ha-noi', certificate: certificates[key]!, status: 'active' } : undefined),
        consumerId: 'tu-ha-noi',
        now: () => new Date(),
        replayGuard: new MemoryReplayGuard(),
      },
    );

    expect(verification).toMatchObject({ ok: true, evidence: { keyid: 'tu-ha-noi-2026', alg, certificateFingerprint: certificates[key]!.fingerprint256 } });
  });

  it('signs concurrent requests one after the other on its session', async () => {
    const signer = open({ alg: 'ecdsa-p256-sha256' });
    const bases = Array.from({ length: 8 }, (_, index) => Buffer.from(`${base.toString()}\n${index}`));

    const signatures = await Promise.all(bases.map((bytes) => signer.sign(bytes)));

    signatures.forEach((signature, index) =>
      expect(verify('sha256', bases[index], { key: createPublicKey(pem.ec), dsaEncoding: 'ieee-p1363' }, signature)).toBe(true),
    );
  });

  it('keeps the other signers of the token working when one closes', async () => {
    const ec = open({ alg: 'ecdsa-p256-sha256' });
    const rsa = open({ alg: 'rsa-v1_5-sha256', keyLabel: 'rsa-key' });

    ec.close();

    await expect(ec.sign(base)).rejects.toMatchObject({ code: Pkcs11SignerErrorCode.SignFailed, message: 'The PKCS#11 signer is closed' });
    expect(verify('sha256', base, certificates.rsa!.publicKey, await rsa.sign(base))).toBe(true);
  });

  it('refuses a wrong PIN', () => {
    expect(openError({ alg: 'ecdsa-p256-sha256', pin: '0000' })).toMatchObject({ code: Pkcs11SignerErrorCode.LoginFailed });
  });

  it('names the token or slot it cannot find', () => {
    expect(openError({ alg: 'ecdsa-p256-sha256', tokenLabel: 'absent' })).toMatchObject({
      code: Pkcs11SignerErrorCode.TokenNotFound,
      message: `No token labelled "absent" in ${MODULE_PATH}`,
    });
    expect(openError({ alg: 'ecdsa-p256-sha256', tokenLabel: undefined, slot: 4242 })).toMatchObject({ code: Pkcs11SignerErrorCode.TokenNotFound });
  });

  it('names the key it cannot find', () => {
    expect(openError({ alg: 'ecdsa-p256-sha256', keyLabel: undefined, keyId: 'ff' })).toMatchObject({
      code: Pkcs11SignerErrorCode.KeyNotFound,
      message: 'No private key with id ff on the token',
    });
  });

  it.each([
    { alg: 'ecdsa-p256-sha256', keyLabel: 'rsa-key', reason: 'the key is not an EC key' },
    { alg: 'ecdsa-p256-sha256', keyLabel: 'p384-key', reason: 'the EC key is not on P-256' },
    { alg: 'rsa-pss-sha512', keyLabel: 'ec-key', reason: 'the key is not an RSA key' },
    { alg: 'rsa-v1_5-sha256', keyLabel: 'rsa-short', reason: 'the RSA key is shorter than 2048 bits' },
  ] as const)('refuses at opening a key that does not fit $alg ($keyLabel)', ({ alg, keyLabel, reason }) => {
    expect(openError({ alg, keyLabel })).toMatchObject({ code: Pkcs11SignerErrorCode.KeyMismatch, message: `The key does not fit ${alg}: ${reason}` });
  });

  it('says which PKCS#11 module it cannot load', () => {
    expect(openError({ alg: 'ecdsa-p256-sha256', modulePath: join(tmpdir(), 'absent-pkcs11.so') })).toMatchObject({
      code: Pkcs11SignerErrorCode.ModuleUnavailable,
    });
  });

  it('opens again after every signer of the module closed', async () => {
    open({ alg: 'ecdsa-p256-sha256' }).close();

    const signature = await open({ alg: 'ecdsa-p256-sha256' }).sign(base);

    expect(verify('sha256', base, { key: certificates.ec!.publicKey, dsaEncoding: 'ieee-p1363' }, signature)).toBe(true);
  });
});

import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { PKI_DIR, generateCrl } from '../../../../test/signed-request.util';
import { CertificateRevocationList, CrlError, crlDerOf, normalizeSerial, revokedSerials } from './crl.util';

describe('certificate revocation list (LGSP_CRL)', () => {
  let dir: string;
  let ec: X509Certificate;
  let rsa: X509Certificate;

  beforeAll(async () => {
    ec = new X509Certificate(await readFile(join(PKI_DIR, 'leaf-ec.pem')));
    rsa = new X509Certificate(await readFile(join(PKI_DIR, 'leaf-rsa.pem')));
  });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lgsp-crl-'));
  });

  afterEach(() => rm(dir, { recursive: true, force: true }));

  it.each([
    ['v1', false],
    ['v2, with CRL extensions', true],
  ])('reads the revoked serials of a CRL made by openssl ca -gencrl (%s), PEM or DER', async (_kind, crlNumber) => {
    const file = await generateCrl(dir, [ec.serialNumber, '01', '00ff'], { crlNumber });
    const der = crlDerOf(await readFile(file));
    expect(revokedSerials(der)).toEqual(new Set([normalizeSerial(ec.serialNumber), '1', 'ff']));
    expect(revokedSerials(crlDerOf(der))).toEqual(revokedSerials(der));
  });

  it('reads an empty CRL as revoking nothing, and refuses what is not a CRL', async () => {
    expect(revokedSerials(crlDerOf(await readFile(await generateCrl(dir, []))))).toEqual(new Set());
    expect(() => revokedSerials(Buffer.from('not a crl'))).toThrow(CrlError);
    expect(() => revokedSerials(crlDerOf(Buffer.from(ec.toString())))).toThrow(CrlError);
  });

  it('answers by serial number, and keeps the file it read until reloaded', async () => {
    const file = await generateCrl(dir, [ec.serialNumber]);
    const crl = new CertificateRevocationList(file, 3600);
    await crl.start();
    try {
      expect([crl.isRevoked(ec), crl.isRevoked(rsa)]).toEqual([true, false]);
      await writeFile(file, 'garbage');
      await expect(crl.reload()).rejects.toThrow(/LGSP_CRL: .* is not a certificate revocation list/);
      expect(crl.isRevoked(ec)).toBe(true);
      const sub = await mkdtemp(join(dir, 'next-'));
      await writeFile(file, await readFile(await generateCrl(sub, [rsa.serialNumber])));
      await crl.reload();
      expect([crl.isRevoked(ec), crl.isRevoked(rsa)]).toEqual([false, true]);
    } finally {
      crl.stop();
    }
  });
});

import { X509Certificate } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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

  describe('from an http(s) URL', () => {
    /** What the CRL server answers next: a status and a body; `hang` never answers. */
    let answer: { status: number; body: Buffer } | 'hang';
    let served: number;
    let server: Server;
    let url: string;

    beforeEach(async () => {
      served = 0;
      server = createServer((req, res) => {
        served++;
        if (answer === 'hang') return;
        res.writeHead(answer.status, { 'content-type': 'application/pkix-crl' }).end(answer.body);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/crl/current.crl?v=1`;
    });

    afterEach(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    function logger() {
      return { info: jest.fn(), warn: jest.fn(), error: jest.fn() };
    }

    it('fetches the CRL at start, and on refresh keeps the last good list, logging a run of failures once', async () => {
      answer = { status: 200, body: await readFile(await generateCrl(dir, [ec.serialNumber])) };
      const log = logger();
      const crl = new CertificateRevocationList(url, 3600, log as never);
      await crl.start();
      try {
        expect([crl.isRevoked(ec), crl.isRevoked(rsa), served]).toEqual([true, false, 1]);

        answer = { status: 503, body: Buffer.from('down') };
        await crl.refresh();
        answer = { status: 200, body: Buffer.from('not a crl') };
        await crl.refresh();
        expect(served).toBe(3);
        expect(crl.isRevoked(ec)).toBe(true);
        expect(log.error).toHaveBeenCalledTimes(1);
        expect(log.error.mock.calls[0][1]).toMatch(/keeping the last list/);
        expect(String(log.error.mock.calls[0][0].err)).toContain('answered 503');
        // Logged without the query string.
        expect(log.error.mock.calls[0][0].crl).toEqual({ source: url.slice(0, url.indexOf('?')) });

        const sub = await mkdtemp(join(dir, 'next-'));
        answer = { status: 200, body: crlDerOf(await readFile(await generateCrl(sub, [rsa.serialNumber]))) };
        await crl.refresh();
        expect([crl.isRevoked(ec), crl.isRevoked(rsa)]).toEqual([false, true]);
        expect(log.info).toHaveBeenCalledTimes(1);

        // A new run of failures is logged again.
        answer = { status: 404, body: Buffer.alloc(0) };
        await crl.refresh();
        expect(log.error).toHaveBeenCalledTimes(2);
        expect(crl.isRevoked(rsa)).toBe(true);
      } finally {
        crl.stop();
      }
    });

    it('gives up on a server that does not answer within the timeout, and refuses to start on a failed fetch', async () => {
      answer = 'hang';
      const crl = new CertificateRevocationList(url, 3600, undefined, 200);
      await expect(crl.start()).rejects.toThrow(/LGSP_CRL: http:\/\/127\.0\.0\.1:\d+\/crl\/current\.crl cannot be fetched \(no answer within 200 ms\)/);
      answer = { status: 500, body: Buffer.from('oops') };
      await expect(new CertificateRevocationList(url, 3600).start()).rejects.toThrow(/answered 500/);
    });
  });
});

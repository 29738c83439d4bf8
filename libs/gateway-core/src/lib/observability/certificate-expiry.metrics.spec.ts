import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import type { SnapshotCertificate } from '@lgsp/data';
import { Registry } from 'prom-client';

import { PKI_DIR, generateCrl } from '../../../test/signed-request.util';
import { crlDerOf } from '../policies/verify/crl.util';
import { createCertificateExpiryMetrics, crlNextUpdateSeconds } from './certificate-expiry.metrics';
import type { CertificateSnapshots } from './certificate-expiry.metrics';

const run = promisify(execFile);

/** What openssl says, independently of Node's parser: notAfter in Unix seconds, SHA-256 fingerprint as lower-case hex. */
async function opensslCertificate(file: string): Promise<{ notAfter: number; fingerprint: string }> {
  const { stdout } = await run('openssl', ['x509', '-in', file, '-noout', '-enddate', '-fingerprint', '-sha256']);
  const notAfter = /notAfter=(.+)/.exec(stdout)?.[1] ?? '';
  const fingerprint = /Fingerprint=([0-9A-F:]+)/i.exec(stdout)?.[1] ?? '';
  return { notAfter: Date.parse(notAfter) / 1000, fingerprint: fingerprint.replaceAll(':', '').toLowerCase() };
}

async function opensslNextUpdate(crl: string): Promise<number> {
  const { stdout } = await run('openssl', ['crl', '-in', crl, '-noout', '-nextupdate']);
  return Date.parse(/nextUpdate=(.+)/.exec(stdout)?.[1] ?? '') / 1000;
}

/** A registry whose snapshots the test installs. */
function snapshots(): CertificateSnapshots & { install(certificates: SnapshotCertificate[]): void } {
  const listeners: ((table: unknown, view: { certificates?: readonly SnapshotCertificate[] }) => void)[] = [];
  return {
    onTable: (listener) => void listeners.push(listener),
    install: (certificates) => listeners.forEach((listener) => listener({}, { certificates })),
  };
}

function certificate(id: string, notAfter: string, status: SnapshotCertificate['status'] = 'active'): SnapshotCertificate {
  return { id, consumerId: `consumer-${id}`, pem: '', fingerprintSha256: id, notBefore: '2025-01-01T00:00:00Z', notAfter, status };
}

async function series(registry: Registry, name: string): Promise<Record<string, number>> {
  const metric = registry.getSingleMetric(name);
  const values = (await metric?.get())?.values ?? [];
  return Object.fromEntries(values.map((v) => [Object.values(v.labels).join('/') || '-', v.value]));
}

describe('certificate and CRL expiry metrics', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lgsp-cert-expiry-'));
  });

  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('exposes the notAfter of the active consumer certificates of the snapshot installed last', async () => {
    const registry = new Registry();
    const state = snapshots();
    createCertificateExpiryMetrics({ snapshots: state, refreshSeconds: 60 }, [registry]);
    state.install([certificate('k1', '2030-01-02T03:04:05Z'), certificate('k2', '2031-01-01T00:00:00Z', 'revoked')]);
    expect(await series(registry, 'lgsp_certificate_expiry_timestamp_seconds')).toEqual({ 'consumer/k1': Date.UTC(2030, 0, 2, 3, 4, 5) / 1000 });
    state.install([certificate('k3', '2029-06-30T00:00:00Z')]);
    expect(await series(registry, 'lgsp_certificate_expiry_timestamp_seconds')).toEqual({ 'consumer/k3': Date.UTC(2029, 5, 30) / 1000 });
  });

  it('reads the trust anchors (each CA of the bundle) and the platform certificate (its leaf), and keeps the last values when a file turns unreadable', async () => {
    const anchors = join(dir, 'anchors.pem');
    await writeFile(anchors, (await readFile(join(PKI_DIR, 'root-ca.pem'), 'utf8')) + (await readFile(join(PKI_DIR, 'other-root-ca.pem'), 'utf8')));
    const signing = join(dir, 'signing.pem');
    await writeFile(signing, (await readFile(join(PKI_DIR, 'leaf-ec.pem'), 'utf8')) + (await readFile(join(PKI_DIR, 'intermediate-ca.pem'), 'utf8')));
    const [root, other, leaf] = await Promise.all(['root-ca.pem', 'other-root-ca.pem', 'leaf-ec.pem'].map((name) => opensslCertificate(join(PKI_DIR, name))));
    const registry = new Registry();
    createCertificateExpiryMetrics({ snapshots: snapshots(), trustAnchorsFile: anchors, signingCertFile: signing, refreshSeconds: 0 }, [registry]);
    const expected = { [`trust-anchor/${root.fingerprint}`]: root.notAfter, [`trust-anchor/${other.fingerprint}`]: other.notAfter, 'platform/signing': leaf.notAfter };
    expect(await series(registry, 'lgsp_certificate_expiry_timestamp_seconds')).toEqual(expected);
    await writeFile(anchors, 'not a certificate bundle -----BEGIN CERTIFICATE-----AAAA-----END CERTIFICATE-----');
    expect(await series(registry, 'lgsp_certificate_expiry_timestamp_seconds')).toEqual(expected);
  });

  it('reads nextUpdate of a CRL made by openssl ca -gencrl, from a file', async () => {
    const crl = await generateCrl(dir, ['01'], { crlNumber: true });
    const registry = new Registry();
    createCertificateExpiryMetrics({ snapshots: snapshots(), crl, refreshSeconds: 60 }, [registry]);
    expect(await series(registry, 'lgsp_crl_next_update_timestamp_seconds')).toEqual({ '-': await opensslNextUpdate(crl) });
    expect(crlNextUpdateSeconds(crlDerOf(await readFile(crl)))).toBe(await opensslNextUpdate(crl));
    expect(() => crlNextUpdateSeconds(Buffer.from('not a crl'))).toThrow();
  });

  describe('from an http(s) URL', () => {
    let server: Server;
    let body: Buffer;

    beforeEach(async () => {
      server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(body));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });

    afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('fetches the CRL in the background: a scrape never waits on the server, a later one has its nextUpdate', async () => {
      const file = await generateCrl(dir, []);
      body = await readFile(file);
      const registry = new Registry();
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/current.crl`;
      createCertificateExpiryMetrics({ snapshots: snapshots(), crl: url, refreshSeconds: 60 }, [registry]);
      const expected = await opensslNextUpdate(file);
      let value = (await series(registry, 'lgsp_crl_next_update_timestamp_seconds'))['-'];
      while (value !== expected) {
        expect(value).toBe(0);
        await new Promise((resolve) => setTimeout(resolve, 20));
        value = (await series(registry, 'lgsp_crl_next_update_timestamp_seconds'))['-'];
      }
      expect(value).toBe(expected);
    });
  });
});

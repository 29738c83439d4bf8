import { execFile } from 'node:child_process';
import { X509Certificate, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import { promisify } from 'node:util';

import { ConfigError, configFrom } from '@lgsp/config';
import { publicListenerOptions } from '@lgsp/http';
import { Agent, request } from 'undici';

import type { GatewayContext } from '../src/lib/chain/gateway-context.type';
import { AccessTokenVerifier } from '../src/lib/policies/authenticate/access-token-verifier.service';
import { startHoldingUpstream, startTestGateway, startTestRegistry } from './guard-test-gateway.util';
import type { HoldingUpstream, TestGateway, TestRegistry } from './guard-test-gateway.util';

const run = promisify(execFile);

/** A test PKI made with the openssl CLI: a CA, the gateway's certificate (127.0.0.1), a client of that CA and one of another. */
interface TestPki {
  readonly dir: string;
  readonly file: (name: string) => string;
  readonly pem: (name: string) => Promise<Buffer>;
}

async function makePki(): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'lgsp-tls-'));
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  const ca = async (name: string) =>
    openssl('req', '-x509', ...ecKey, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  const issue = async (name: string, issuer: string, subject: string, extensions: string) => {
    await writeFile(file(`${name}.ext`), extensions);
    await openssl('req', ...ecKey, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    await openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`);
  };
  await ca('test-ca');
  await ca('rogue-ca');
  await issue('server', 'test-ca', '/CN=localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  await issue('client', 'test-ca', '/CN=tu-ha-noi.qlcb', 'extendedKeyUsage=clientAuth\n');
  await issue('rogue-client', 'rogue-ca', '/CN=tu-ha-noi.qlcb', 'extendedKeyUsage=clientAuth\n');
  return { dir, file, pem: (name) => readFile(file(name)) };
}

/**
 * The public listener over TLS (LGSP_TLS_CERT/KEY), as the gateway app builds it: TLS 1.2 at least,
 * TLS 1.3 by default, a call served end to end over HTTPS, and optional mutual TLS
 * (LGSP_TLS_CLIENT_CA) whose verified certificate the chain knows by its fingerprint.
 */
describe('gateway over TLS', () => {
  let pki: TestPki;
  let upstream: HoldingUpstream;
  let registry: TestRegistry;
  let gw: TestGateway;
  let ca: Buffer;
  let port: number;

  beforeAll(async () => {
    pki = await makePki();
    ca = await pki.pem('test-ca.pem');
    upstream = await startHoldingUpstream();
    registry = await startTestRegistry(upstream.url);
    gw = await startTestGateway(registry, {
      LGSP_TLS_CERT: pki.file('server.pem'),
      LGSP_TLS_KEY: pki.file('server.key'),
      LGSP_TLS_CLIENT_CA: pki.file('test-ca.pem'),
    });
    port = Number(new URL(gw.base).port);
  }, 60_000);

  afterAll(async () => {
    await gw?.close();
    await registry?.close();
    await upstream?.close();
    if (pki !== undefined) await rm(pki.dir, { recursive: true, force: true });
  });

  afterEach(() => jest.restoreAllMocks());

  /** A TLS handshake with the gateway: the protocol it settled on, or the error that ended it. */
  function handshake(options: ConnectionOptions): Promise<{ protocol: string | null } | { error: NodeJS.ErrnoException }> {
    return new Promise((resolve) => {
      const socket: TLSSocket = tlsConnect({ host: '127.0.0.1', port, ca, ...options });
      socket.once('secureConnect', () => {
        resolve({ protocol: socket.getProtocol() });
        socket.end();
      });
      socket.once('error', (error) => resolve({ error }));
    });
  }

  async function call(dispatcher: Agent) {
    const res = await request(`${gw.base}/v1/records/items`, {
      headers: { 'x-request-id': randomUUID(), authorization: `Bearer ${gw.token}` },
      dispatcher,
    });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, body: JSON.parse(text) as Record<string, unknown> };
  }

  it('listens on https:// with its own certificate', () => {
    expect(gw.base).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('negotiates TLS 1.3 by default and accepts a TLS 1.2 client', async () => {
    expect(await handshake({})).toEqual({ protocol: 'TLSv1.3' });
    expect(await handshake({ maxVersion: 'TLSv1.2' })).toEqual({ protocol: 'TLSv1.2' });
  });

  it('refuses TLS 1.1 and 1.0 with a protocol_version alert', async () => {
    // SECLEVEL=0 so the client can offer the old protocols at all: the refusal must be the server's.
    for (const maxVersion of ['TLSv1.1', 'TLSv1'] as const) {
      const outcome = await handshake({ minVersion: 'TLSv1', maxVersion, ciphers: 'DEFAULT@SECLEVEL=0' });
      expect(outcome).toEqual({ error: expect.objectContaining({ code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' }) });
    }
  });

  it('serves a call end to end over HTTPS and records it', async () => {
    const agent = new Agent({ connect: { ca } });
    try {
      const res = await call(agent);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ path: '/items' });
      const record = (await gw.records()).find((r) => r.transactionId === res.headers['x-lgsp-transaction-id']);
      expect(record).toMatchObject({ status: 200, consumerId: 'tu-ha-noi.qlcb', clientIp: '127.0.0.1', apiDomain: 'records' });
    } finally {
      await agent.close();
    }
  });

  it('serves nothing in plain HTTP on the TLS port', async () => {
    await expect(request(`http://127.0.0.1:${port}/health/live`)).rejects.toThrow();
  });

  it('knows a client certificate verified against LGSP_TLS_CLIENT_CA by its fingerprint, and serves clients without one', async () => {
    const seen: (string | undefined)[] = [];
    const verify = AccessTokenVerifier.prototype.handle;
    jest.spyOn(AccessTokenVerifier.prototype, 'handle').mockImplementation(function (this: AccessTokenVerifier, context: GatewayContext) {
      seen.push(context.clientCertificateSha256);
      return verify.call(this, context);
    });
    const clientPem = await pki.pem('client.pem');
    const agents = {
      verified: new Agent({ connect: { ca, cert: clientPem, key: await pki.pem('client.key') } }),
      rogue: new Agent({ connect: { ca, cert: await pki.pem('rogue-client.pem'), key: await pki.pem('rogue-client.key') } }),
      none: new Agent({ connect: { ca } }),
    };
    try {
      // Twice on one connection: worked out for the connection, the same on each request.
      for (const agent of [agents.verified, agents.verified, agents.rogue, agents.none]) expect((await call(agent)).status).toBe(200);
    } finally {
      await Promise.all(Object.values(agents).map((agent) => agent.close()));
    }
    const fingerprint = new X509Certificate(clientPem).fingerprint256.replaceAll(':', '').toLowerCase();
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(seen).toEqual([fingerprint, fingerprint, undefined, undefined]);
  });

  it('stops start-up, naming the variable, on TLS files that cannot be used', async () => {
    const configOf = (env: Record<string, string>) => configFrom({ LGSP_TLS_CERT: pki.file('server.pem'), LGSP_TLS_KEY: pki.file('server.key'), ...env });
    await expect(publicListenerOptions(configOf({ LGSP_TLS_CERT: pki.file('missing.pem') }))).rejects.toThrow(/LGSP_TLS_CERT: cannot read .*missing\.pem \(ENOENT\)/);
    await expect(publicListenerOptions(configOf({ LGSP_TLS_KEY: pki.file('client.key') }))).rejects.toThrow(ConfigError);
    await expect(publicListenerOptions(configOf({ LGSP_TLS_KEY: pki.file('client.key') }))).rejects.toThrow(/LGSP_TLS_KEY: .* are not a usable certificate and private key/);
    await expect(publicListenerOptions(configOf({ LGSP_TLS_CLIENT_CA: pki.file('server.ext') }))).rejects.toThrow(/LGSP_TLS_CLIENT_CA: .* is not a PEM bundle of CA certificates \(no certificate in it\)/);
    await expect(publicListenerOptions(configOf({ LGSP_TLS_CLIENT_CA: pki.file('client.pem') }))).rejects.toThrow(/LGSP_TLS_CLIENT_CA: .*\(CN=tu-ha-noi\.qlcb is not a CA certificate\)/);
    await expect(publicListenerOptions(configOf({ LGSP_TLS_CLIENT_CA: pki.file('test-ca.pem') }))).resolves.toMatchObject({ tls: { clientCa: expect.any(Buffer) } });
  });
});

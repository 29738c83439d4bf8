import { createPublicKey, generateKeyPairSync, randomUUID, X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ErrorCode, Header, isUuidV4, MediaType, problemOf } from '@lgsp/contracts';
import { MemoryReplayGuard, signLgspResponse, verifyLgspRequestSignature } from '@lgsp/signature';

import type { CliIo } from '../src/cli-command.type';
import { runCli } from '../src/cli';
import { CLI_COMMANDS } from '../src/cli-commands.constant';

const PKI = join(__dirname, '..', '..', '..', 'libs', 'registry', 'test', 'fixtures', 'pki');
const KEY_ID = 'tu-ha-noi-2026';
const CONSUMER = 'tu-ha-noi.qlcb';

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly signedBy?: string;
}

/** A gateway that issues tokens, verifies signed requests against the test PKI and signs its answers. */
async function startGateway(): Promise<{ url: string; received: Received[]; tokenRequests: () => number; close(): Promise<void> }> {
  const certificate = new X509Certificate(await import('node:fs').then((fs) => fs.readFileSync(join(PKI, 'leaf-ec.pem'))));
  const platform = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const replayGuard = new MemoryReplayGuard();
  const received: Received[] = [];
  let tokens = 0;
  let base = '';
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', async () => {
      const body = Buffer.concat(chunks);
      const url = incoming.url ?? '/';
      if (url === '/oauth2/token') {
        tokens += 1;
        const ok = incoming.headers.authorization === `Basic ${Buffer.from('demo-consumer:secret').toString('base64')}`;
        outgoing.writeHead(ok ? 200 : 401, { 'content-type': MediaType.json });
        outgoing.end(JSON.stringify(ok ? { access_token: 'tok', token_type: 'Bearer', expires_in: 3600 } : { error: 'invalid_client' }));
        return;
      }
      if (url === '/.well-known/lgsp-signing-keys') {
        outgoing.writeHead(200, { 'content-type': MediaType.json });
        outgoing.end(JSON.stringify({ keys: [{ ...createPublicKey(platform.privateKey).export({ format: 'jwk' }), kid: 'platform-1' }] }));
        return;
      }
      const requestId = String(incoming.headers[Header.requestId]);
      const transactionId = randomUUID();
      const ids = { [Header.requestId]: requestId, [Header.transactionId]: transactionId };
      let signedBy: string | undefined;
      let signatureField: { label: string; field: 'x-signature' | 'signature' } | undefined;
      if (incoming.headers[Header.signature] !== undefined) {
        const verification = await verifyLgspRequestSignature(
          { method: incoming.method ?? '', url: `${base}${url}`, headers: incoming.headers, body },
          { keys: (keyid) => (keyid === KEY_ID ? { consumerId: CONSUMER, certificate, status: 'active' } : undefined), consumerId: CONSUMER, now: () => new Date(), replayGuard },
        );
        if (!verification.ok) {
          outgoing.writeHead(401, { 'content-type': MediaType.problemJson, ...ids });
          outgoing.end(JSON.stringify(problemOf(verification.code, { detail: verification.detail, requestId, transactionId })));
          return;
        }
        signedBy = verification.evidence.keyid;
        signatureField = { label: verification.evidence.label, field: verification.evidence.field };
      }
      received.push({ method: incoming.method ?? '', url, headers: incoming.headers, body: body.toString('utf8'), ...(signedBy !== undefined && { signedBy }) });
      if (incoming.headers.authorization !== 'Bearer tok' || !isUuidV4(requestId)) {
        outgoing.writeHead(400, { 'content-type': MediaType.problemJson, ...ids });
        outgoing.end(JSON.stringify(problemOf(ErrorCode.RequestIdInvalid, { requestId, transactionId })));
        return;
      }
      if (url.startsWith('/v1/documents/missing')) {
        outgoing.writeHead(404, { 'content-type': MediaType.problemJson, ...ids });
        outgoing.end(JSON.stringify(problemOf(ErrorCode.NotFound, { detail: 'No document missing', requestId, transactionId })));
        return;
      }
      const answer = Buffer.from(JSON.stringify({ ok: true, method: incoming.method }));
      const headers: Record<string, string> = { 'content-type': MediaType.json, ...ids };
      const signed = await signLgspResponse({ status: 200, headers, body: answer }, { method: incoming.method ?? '', url: `${base}${url}`, headers: incoming.headers }, {
        keyid: 'platform-1',
        key: platform.privateKey,
        now: new Date(),
        ...(signatureField !== undefined && { requestSignature: signatureField }),
      });
      outgoing.writeHead(200, { ...headers, ...signed.headers });
      outgoing.end(answer);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    received,
    tokenRequests: () => tokens,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function capture(env: Record<string, string>): CliIo & { out: string; err: string } {
  const io = { env, out: '', err: '', stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

describe('lgsp call', () => {
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    gateway = await startGateway();
    dir = await mkdtemp(join(tmpdir(), 'lgsp-call-'));
  });
  afterAll(async () => {
    await gateway?.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    gateway.received.length = 0;
    env = { LGSP_URL: gateway.url, LGSP_CLIENT_ID: 'demo-consumer', LGSP_CLIENT_SECRET: 'secret' };
  });

  it('calls with the credentials of its environment and prints the status, the ids and the body', async () => {
    const io = capture(env);
    expect(await runCli(['call', 'get', '/v1/documents/van-ban?nam=2026', '--header', 'Accept-Language: vi'], CLI_COMMANDS, io)).toBe(0);
    const [request] = gateway.received;
    expect(request).toMatchObject({ method: 'GET', url: '/v1/documents/van-ban?nam=2026' });
    expect(request.headers['accept-language']).toBe('vi');
    expect(request.signedBy).toBeUndefined();
    expect(io.out).toBe('{\n  "ok": true,\n  "method": "GET"\n}\n');
    expect(io.err).toMatch(new RegExp(`^200\nx-request-id: ${request.headers['x-request-id']}\nx-lgsp-transaction-id: [0-9a-f-]{36}\n$`));
  });

  it('signs with --key-file and --key-id, sends a file as the body and verifies the signed answer', async () => {
    const file = join(dir, 'van-ban.json');
    await writeFile(file, '{"soHieu":"123/QD-UBND"}');
    const io = capture(env);
    const code = await runCli(
      ['call', 'POST', '/v1/documents/van-ban', '--data', `@${file}`, '--key-file', join(PKI, 'leaf-ec.key.pem'), '--key-id', KEY_ID, '--verify-response'],
      CLI_COMMANDS,
      io,
    );
    expect({ code, err: io.err }).toMatchObject({ code: 0 });
    expect(gateway.received[0]).toMatchObject({ method: 'POST', body: '{"soHieu":"123/QD-UBND"}', signedBy: KEY_ID });
    expect(gateway.received[0].headers['content-type']).toBe('application/json');
    expect(io.err).toContain('signature: verified\n');
  });

  it('reads the signing key from LGSP_SIGNING_KEY_FILE and LGSP_SIGNING_KEY_ID', async () => {
    const io = capture({ ...env, LGSP_SIGNING_KEY_FILE: join(PKI, 'leaf-ec.key.pem'), LGSP_SIGNING_KEY_ID: KEY_ID });
    expect(await runCli(['call', 'DELETE', '/v1/documents/van-ban/1'], CLI_COMMANDS, io)).toBe(0);
    expect(gateway.received[0].signedBy).toBe(KEY_ID);
  });

  it("exits 1 on a problem with 'status code: detail' and the ids", async () => {
    const io = capture(env);
    expect(await runCli(['call', 'GET', '/v1/documents/missing'], CLI_COMMANDS, io)).toBe(1);
    const requestId = String(gateway.received[0].headers['x-request-id']);
    expect(io.out).toBe('');
    expect(io.err).toMatch(new RegExp(`^404 not_found: No document missing\nx-request-id: ${requestId}\nx-lgsp-transaction-id: [0-9a-f-]{36}\n$`));
  });

  it('exits 1 when the token endpoint refuses the credentials', async () => {
    const io = capture({ ...env, LGSP_CLIENT_SECRET: 'wrong' });
    expect(await runCli(['call', 'GET', '/v1/documents/van-ban'], CLI_COMMANDS, io)).toBe(1);
    expect(io.err).toMatch(/^lgsp call: The token endpoint .* refused: 401 invalid_client\n$/);
    expect(gateway.received).toEqual([]);
  });

  it('exits 2 on a wrong command line without calling anything', async () => {
    const before = gateway.tokenRequests();
    for (const [argv, message] of [
      [['call', 'GET', '/v1/x', '--data', 'not json'], '--data must be JSON'],
      [['call', 'FETCH', '/v1/x'], '<METHOD> must be one of'],
      [['call', 'HEAD', '/v1/x', '--data', '{}'], 'a HEAD request cannot have --data'],
      [['call', 'GET', '/v1/x', '--header', 'no-colon'], '--header must be name:value'],
      [['call', 'GET', '/v1/x', '--key-id', KEY_ID], '--key-id needs its key'],
    ] as const) {
      const io = capture(env);
      expect({ argv, code: await runCli(argv, CLI_COMMANDS, io) }).toEqual({ argv, code: 2 });
      expect(io.err).toContain(message);
    }
    const io = capture({ LGSP_URL: gateway.url });
    expect(await runCli(['call', 'GET', '/v1/x'], CLI_COMMANDS, io)).toBe(2);
    expect(io.err).toContain('Consumer Key and Secret Key are required');
    expect(gateway.tokenRequests()).toBe(before);
    expect(gateway.received).toEqual([]);
  });
});

import { createPrivateKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { GatewayContext } from '@lgsp/gateway-core';
import { ResponseSigner, SigningCertificates } from '@lgsp/gateway-core';
import { MemoryReplayGuard, platformSigningKeyOf, signLgspRequest, verifyLgspRequestSignature } from '@lgsp/signature';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * X-Signature's cost per request, in microseconds: verifying a signed write as the verify policy
 * does (parse, certificate checks, signature, Content-Digest over a 1 KiB body, in-process replay
 * guard) with an RSA-2048 and an EC P-256 certificate, and signing the answer with the platform's
 * P-256 key (Content-Digest of a 1 KiB answer included). Certificates from the registry's test PKI.
 *   node tools/scripts/run-ts.mjs tools/bench/src/micro/signature.bench.ts [seconds per task, default 2]
 */
const SECONDS = Number(process.argv[2] ?? 2);
const PKI = join(__dirname, '..', '..', '..', '..', 'libs', 'registry', 'test', 'fixtures', 'pki');
const PUBLIC_URL = 'https://api.lgsp.example.gov.vn';
const URL_PATH = '/v1/records/items?nam=2026';
const CONSUMER = 'tu-ha-noi.qlcb';
const BODY = Buffer.from(JSON.stringify({ soHieu: '123/QD-UBND', noiDung: 'x'.repeat(990) }));
/** Signed requests prepared per task, each with its own X-Request-ID (the replay guard sees each once). */
const PREPARED = 5_000;

async function certificate(name: string): Promise<{ pem: string; key: KeyObject }> {
  const [pem, key] = await Promise.all([readFile(join(PKI, `${name}.pem`), 'utf8'), readFile(join(PKI, `${name}.key.pem`), 'utf8')]);
  return { pem, key: createPrivateKey(key) };
}

async function signedRequests(keyid: string, key: KeyObject, count: number): Promise<Record<string, string>[]> {
  const now = new Date();
  const list: Record<string, string>[] = [];
  for (let i = 0; i < count; i++) {
    const headers = { 'content-type': 'application/json', 'x-request-id': randomUUID() };
    const signed = await signLgspRequest({ method: 'POST', url: PUBLIC_URL + URL_PATH, headers, body: BODY }, { keyid, key, now });
    list.push({ ...headers, ...signed.headers });
  }
  return list;
}

async function main(): Promise<void> {
  const { Bench } = await import('tinybench');
  const bench = new Bench({ time: SECONDS * 1000, warmupTime: 500 });
  const [ec, rsa] = await Promise.all([certificate('leaf-ec'), certificate('leaf-rsa')]);
  const certificates = new SigningCertificates();
  const rows = (id: string, pem: string) => ({ id, consumerId: CONSUMER, pem, fingerprintSha256: id, notBefore: '', notAfter: '', status: 'active' as const });
  certificates.update([rows('bench-ec', ec.pem), rows('bench-rsa', rsa.pem)]);

  for (const [name, keyid, key] of [
    ['verify a signed write, RSA-2048 (rsa-v1_5-sha256)', 'bench-rsa', rsa.key],
    ['verify a signed write, EC P-256 (ecdsa-p256-sha256)', 'bench-ec', ec.key],
  ] as const) {
    const requests = await signedRequests(keyid, key, PREPARED);
    const replayGuard = new MemoryReplayGuard();
    let i = 0;
    bench.add(name, async () => {
      const headers = requests[i];
      if (++i === requests.length) i = 0;
      const result = await verifyLgspRequestSignature(
        { method: 'POST', url: PUBLIC_URL + URL_PATH, headers, body: BODY },
        // A fresh guard per lap of the prepared requests would cost allocation; a replay here is still a full verification.
        { keys: certificates.get, consumerId: CONSUMER, now: () => new Date(), replayGuard },
      );
      if (!result.ok && result.code !== 'replay_detected') throw new Error(`${name}: ${result.code} ${result.detail}`);
    });
  }

  const platform = await platformSigningKeyOf(
    generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
    'generated',
    true,
  );
  const signer = new ResponseSigner(platform, PUBLIC_URL);
  const [requestHeaders] = await signedRequests('bench-ec', ec.key, 1);
  const context = {
    request: { method: 'POST', headers: requestHeaders } as unknown as FastifyRequest,
    reply: {} as FastifyReply,
    requestId: requestHeaders['x-request-id'],
    path: '/v1/records/items',
    query: '?nam=2026',
    requestSignature: { label: 'sig1', field: 'x-signature' },
  } as unknown as GatewayContext;
  const answer = Buffer.from(JSON.stringify({ id: 7, trangThai: 'x'.repeat(1000) }));
  bench.add('sign the answer, EC P-256 (platform key)', async () => {
    await signer.headersFor(context, 201, answer);
  });

  await bench.run();

  const table = bench.tasks.map((task) => {
    const result = task.result;
    if (result.state !== 'completed') return `| ${task.name} | ${result.state} | | |`;
    const mean = result.latency.mean * 1000;
    const p99 = result.latency.p99 * 1000;
    return `| ${task.name} | ${mean.toFixed(1)} | ${p99.toFixed(1)} | ${Math.round(1e6 / mean).toLocaleString('en')} |`;
  });
  console.log(['| X-Signature | µs per request (mean) | µs (p99) | per second, one core |', '|---|---:|---:|---:|', ...table].join('\n'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

import { randomUUID } from 'node:crypto';

import { ACCESS_TOKEN_ALG, ACCESS_TOKEN_TYP } from '@lgsp/contracts';
import { InProcessChangeChannel } from '@lgsp/data';
import type { GatewayContext } from '@lgsp/gateway-core';
import { AccessTokenVerifier, JwksState, RevocationSet } from '@lgsp/gateway-core';
import { createLogger } from '@lgsp/observability';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';

/**
 * The gateway's token check per request: a cache hit (the common case: a consumer's many calls per
 * token) against a full ES256 verification (a cache miss), and IAM's signing cost per token.
 * Run: node tools/scripts/run-ts.mjs tools/bench/src/micro/token-check.bench.ts
 */
const ISSUER = 'https://api.lgsp.example';

async function main(): Promise<void> {
  const { Bench } = await import('tinybench');
  const { privateKey, publicKey } = await generateKeyPair(ACCESS_TOKEN_ALG, { extractable: true });
  const kid = 'bench-key';
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: ACCESS_TOKEN_ALG, use: 'sig' };
  const logger = createLogger({ service: 'bench', level: 'silent' });
  const changes = new InProcessChangeChannel();
  const keys = new JwksState({ load: async () => ({ keys: [jwk] }) }, changes, logger, { refreshIntervalMs: 3_600_000 });
  await keys.start();
  const revocations = new RevocationSet({ loadActive: async () => [] }, changes, logger);
  await revocations.start();
  const tokens = { keys, revocations, issuer: ISSUER, audience: ISSUER };
  const settings = { clockToleranceSeconds: 30, unknownKidRefetchIntervalMs: 5000, maxTokenLength: 8192 };
  const cached = new AccessTokenVerifier({ ...settings, claimsCacheMaxEntries: 10_000 }, tokens);
  const uncached = new AccessTokenVerifier({ ...settings, claimsCacheMaxEntries: 1 }, tokens);

  const mint = () => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ sub: 'tu-ha-noi.qlcb', client_id: 'demo-consumer', scope: 'directory:v1', env: 'sandbox', jti: randomUUID() })
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, kid, typ: ACCESS_TOKEN_TYP })
      .setIssuer(ISSUER)
      .setAudience(ISSUER)
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(privateKey);
  };
  const distinct = await Promise.all(Array.from({ length: 2000 }, mint));
  const contextOf = (token: string) => ({ request: { headers: { authorization: `Bearer ${token}` } } }) as unknown as GatewayContext;
  const hit = contextOf(distinct[0]);
  const misses = distinct.map(contextOf);
  let i = 0;

  const bench = new Bench({ time: 2000, warmup: true });
  bench
    .add('token check, claims cached (hit)', async () => {
      const refusal = await cached.handle(hit);
      if (refusal !== undefined) throw refusal;
    })
    .add('token check, full ES256 verification (miss)', async () => {
      const refusal = await uncached.handle(misses[i++ % misses.length]);
      if (refusal !== undefined) throw refusal;
    })
    .add('IAM: sign one access token (ES256)', async () => {
      await mint();
    });
  await bench.run();
  keys.stop();
  revocations.stop();
  process.stdout.write(`\nToken micro-benchmarks (Node ${process.version})\n\n| step | ops/s | mean µs | p99 µs |\n|---|---:|---:|---:|\n`);
  for (const task of bench.tasks) {
    const result = task.result;
    if (result?.state !== 'completed') throw new Error(`${task.name}: ${result?.state ?? 'not run'}`);
    process.stdout.write(`| ${task.name} | ${Math.round(result.throughput.mean)} | ${(result.latency.mean * 1000).toFixed(1)} | ${(result.latency.p99 * 1000).toFixed(1)} |\n`);
  }
}

void main();

import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { InProcessChangeChannel } from '@lgsp/data';
import { createLogger } from '@lgsp/observability';
import { closedPort } from '@lgsp/testing';
import type { JWK } from 'jose';

import { TestTokenMinter, testSigningKey } from '../../../test/test-tokens.util';
import type { TestSigningKey } from '../../../test/test-tokens.util';
import type { GatewayContext } from '../chain/gateway-context.type';
import { AccessTokenVerifier } from '../policies/authenticate/access-token-verifier.service';
import { JwksState } from './jwks-state.service';
import { remoteJwksSource } from './remote-jwks.source';

const ISSUER = 'https://lgsp.example.gov.vn';

/** A stand-in IAM on an ephemeral port: serves /oauth2/jwks, or drops connections, or hangs. */
interface FakeIam {
  url: string;
  keys: JWK[];
  mode: 'up' | 'down' | 'hang' | 'garbage';
  requests: number;
  close(): Promise<void>;
}

async function startFakeIam(): Promise<FakeIam> {
  const iam = { keys: [] as JWK[], mode: 'up', requests: 0 } as FakeIam;
  const server: Server = createServer((req, res) => {
    iam.requests++;
    if (iam.mode === 'down') return void req.socket.destroy();
    if (iam.mode === 'hang') return;
    if (req.url !== '/oauth2/jwks') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/jwk-set+json' });
    res.end(iam.mode === 'garbage' ? '{"keys": "nope"}' : JSON.stringify({ keys: iam.keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  iam.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  iam.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return iam;
}

describe('remoteJwksSource (a split-out gateway fetching IAM over HTTP)', () => {
  const lines: string[] = [];
  const logger = createLogger({ service: 'test', level: 'info', destination: { write: (line: string) => void lines.push(line) } });
  let dir: string;
  let cacheFile: string;
  let iam: FakeIam;
  let keyA: TestSigningKey;
  let keyB: TestSigningKey;

  beforeAll(async () => {
    [keyA, keyB] = await Promise.all([testSigningKey('iam-a'), testSigningKey('iam-b')]);
  });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lgsp-jwks-'));
    cacheFile = join(dir, 'data', 'jwks.json');
    iam = await startFakeIam();
    iam.keys = [keyA.publicJwk];
  });

  afterEach(async () => {
    await iam.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('fetches the JWKS and keeps the last good one on disk, atomically', async () => {
    const source = remoteJwksSource({ iamUrl: iam.url, cacheFile, logger });
    expect(await source.load()).toEqual({ keys: [keyA.publicJwk] });
    expect(JSON.parse(await readFile(cacheFile, 'utf8'))).toEqual({ keys: [keyA.publicJwk] });
    iam.keys = [keyA.publicJwk, keyB.publicJwk];
    expect((await source.load()).keys).toHaveLength(2);
    expect(JSON.parse(await readFile(cacheFile, 'utf8')).keys).toHaveLength(2);
    expect(await readdir(join(dir, 'data'))).toEqual(['jwks.json']);
  });

  it('serves from the disk copy when IAM is down at start-up, and refreshes once IAM is back', async () => {
    await remoteJwksSource({ iamUrl: iam.url, cacheFile, logger }).load();

    // A restart during an IAM outage: nothing listens where IAM was.
    const restarted = remoteJwksSource({ iamUrl: `http://127.0.0.1:${await closedPort()}`, cacheFile, logger });
    expect(await restarted.load()).toEqual({ keys: [keyA.publicJwk] });
    expect(lines.some((l) => l.includes('"jwks-served-from-disk"'))).toBe(true);

    // The same with the gateway's key holder and verifier: IAM drops every connection, then recovers.
    iam.mode = 'down';
    const channel = new InProcessChangeChannel();
    const jwks = new JwksState(remoteJwksSource({ iamUrl: iam.url, cacheFile, logger, timeoutMs: 500 }), channel, logger, { refreshIntervalMs: 3_600_000 });
    await jwks.start();
    expect(jwks.loaded).toBe(true);
    const minter = new TestTokenMinter(ISSUER);
    const verifier = new AccessTokenVerifier(
      { clockToleranceSeconds: 30, claimsCacheMaxEntries: 10, unknownKidRefetchIntervalMs: 100, maxTokenLength: 8192 },
      { keys: jwks, revocations: { isRevoked: () => false }, issuer: ISSUER, audience: ISSUER },
    );
    const check = async (token: string) => verifier.handle({ request: { headers: { authorization: `Bearer ${token}` } } } as unknown as GatewayContext);
    expect(await check(await minter.mint(keyA))).toBeUndefined();

    iam.mode = 'up';
    iam.keys = [keyA.publicJwk, keyB.publicJwk];
    await channel.publish({ kind: 'signing-keys' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(jwks.keyCount).toBe(2);
    expect(await check(await minter.mint(keyB))).toBeUndefined();
    expect(JSON.parse(await readFile(cacheFile, 'utf8')).keys).toHaveLength(2);
    jwks.stop();
    await channel.close();
  });

  it('gives up on a hanging IAM within its timeout and uses the disk copy', async () => {
    await remoteJwksSource({ iamUrl: iam.url, cacheFile, logger }).load();
    iam.mode = 'hang';
    const started = Date.now();
    expect(await remoteJwksSource({ iamUrl: iam.url, cacheFile, logger, timeoutMs: 200 }).load()).toEqual({ keys: [keyA.publicJwk] });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('never keeps an answer that is not a JWKS, and fails when there is nothing to fall back on', async () => {
    iam.mode = 'garbage';
    const source = remoteJwksSource({ iamUrl: iam.url, cacheFile, logger });
    await expect(source.load()).rejects.toThrow(/no copy is kept/);
    await expect(readFile(cacheFile)).rejects.toThrow();
    iam.mode = 'up';
    await source.load();
    iam.mode = 'garbage';
    expect(await source.load()).toEqual({ keys: [keyA.publicJwk] });
  });
});

import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createLogger } from '@lgsp/observability';

import { LastKnownGoodFile, lastKnownGoodFiles } from './last-known-good-file.util';

interface Doc {
  readonly n: number;
}
const isDoc = (value: unknown): value is Doc => typeof value === 'object' && value !== null && typeof (value as Doc).n === 'number';

describe('LastKnownGoodFile', () => {
  let dir: string;
  let lines: string[];
  const logger = () => createLogger({ service: 'test', level: 'info', destination: { write: (line: string) => void lines.push(line) } });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lgsp-lkg-file-'));
    lines = [];
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('writes the copy (creating its directory, owner-only), reads it back, and leaves no temporary file', async () => {
    const file = new LastKnownGoodFile(join(dir, 'gateway', 'doc.json'), isDoc, logger());
    await file.keep({ n: 1 });
    expect(await file.read()).toEqual({ n: 1 });
    expect(await readdir(join(dir, 'gateway'))).toEqual(['doc.json']);
    expect((await stat(join(dir, 'gateway', 'doc.json'))).mode & 0o777).toBe(0o600);
  });

  it('writes only what changed, in the order kept', async () => {
    const path = join(dir, 'doc.json');
    const file = new LastKnownGoodFile(path, isDoc, logger());
    await file.keep({ n: 1 });
    // Marked behind its back: keeping the same value again must not rewrite the file.
    await writeFile(path, '{"n":1,"marker":true}\n');
    await file.keep({ n: 1 });
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ n: 1, marker: true });
    await Promise.all([file.keep({ n: 2 }), file.keep({ n: 3 }), file.keep({ n: 4 })]);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ n: 4 });
  });

  it('treats a missing copy as none, and an unusable one as none with an error logged', async () => {
    const path = join(dir, 'doc.json');
    const file = new LastKnownGoodFile(path, isDoc, logger());
    expect(await file.read()).toBeUndefined();
    expect(lines).toEqual([]);
    await writeFile(path, '{"n":');
    expect(await file.read()).toBeUndefined();
    await writeFile(path, '{"m":1}');
    expect(await file.read()).toBeUndefined();
    expect(lines.map((l) => JSON.parse(l).event?.action)).toEqual(['last-known-good-invalid', 'last-known-good-invalid']);
  });

  it('logs a failed write and keeps the previous copy', async () => {
    const path = join(dir, 'doc.json');
    const file = new LastKnownGoodFile(path, isDoc, logger());
    await file.keep({ n: 1 });
    const blocked = new LastKnownGoodFile(join(path, 'under-a-file.json'), isDoc, logger());
    await blocked.keep({ n: 2 });
    expect(lines.map((l) => JSON.parse(l).event?.action)).toEqual(['last-known-good-write-failed']);
    expect(await file.read()).toEqual({ n: 1 });
  });

  it('places the gateway copies under the data dir', () => {
    expect(lastKnownGoodFiles({ dataDir: '/var/lib/lgsp' })).toEqual({
      registry: '/var/lib/lgsp/gateway/registry-snapshot.json',
      jwks: '/var/lib/lgsp/gateway/jwks.json',
      revocations: '/var/lib/lgsp/gateway/revocations.json',
    });
  });
});

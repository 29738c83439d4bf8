import type { RegistryChange } from '@lgsp/contracts';
import type { TestDatabase } from '@lgsp/testing';
import { createTestDatabase } from '@lgsp/testing';
import { Client } from 'pg';

import { InProcessChangeChannel } from './in-process-change.channel';
import { PostgresChangeChannel } from './postgres-change.channel';

function nextChange(channel: { subscribe(l: (c: RegistryChange) => void): () => void }, kind: RegistryChange['kind'], timeoutMs = 2000): Promise<RegistryChange> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${kind} within ${timeoutMs} ms`)), timeoutMs);
    const unsubscribe = channel.subscribe((change) => {
      if (change.kind !== kind) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(change);
    });
  });
}

describe('PostgresChangeChannel (real PostgreSQL)', () => {
  let database: TestDatabase;
  let a: PostgresChangeChannel;
  let b: PostgresChangeChannel;

  beforeAll(async () => {
    database = await createTestDatabase();
    a = await PostgresChangeChannel.open({ url: database.url, retryMs: 50 });
    b = await PostgresChangeChannel.open({ url: database.url, retryMs: 50 });
  });

  afterAll(async () => {
    await a.close();
    await b.close();
    await database.drop();
  });

  it('delivers a change to every process on the channel, the publisher included', async () => {
    const onB = nextChange(b, 'token-revoked');
    const onA = nextChange(a, 'token-revoked');
    await a.publish({ kind: 'token-revoked', jti: 'j-1', exp: 1_900_000_000 });
    expect(await onB).toEqual({ kind: 'token-revoked', jti: 'j-1', exp: 1_900_000_000 });
    expect(await onA).toEqual({ kind: 'token-revoked', jti: 'j-1', exp: 1_900_000_000 });
  });

  it('reconnects after losing its connection, says resync, and hears changes again', async () => {
    const resync = nextChange(b, 'resync', 5000);
    const admin = new Client({ connectionString: database.url });
    await admin.connect();
    // Kill b's listening connection as a failover or a network cut would.
    await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and query like 'LISTEN%'`);
    await admin.end();
    await resync;
    const after = nextChange(b, 'registry');
    await a.publish({ kind: 'registry' });
    expect(await after).toEqual({ kind: 'registry' });
  });

  it('stops delivering to an unsubscribed listener', async () => {
    const seen: RegistryChange[] = [];
    const unsubscribe = b.subscribe((c) => seen.push(c));
    unsubscribe();
    const delivered = nextChange(b, 'signing-keys');
    await a.publish({ kind: 'signing-keys' });
    await delivered;
    expect(seen).toEqual([]);
  });
});

describe('InProcessChangeChannel', () => {
  it('delivers after the publishing code has run to completion, never inside it', async () => {
    const channel = new InProcessChangeChannel();
    const seen: RegistryChange[] = [];
    channel.subscribe((c) => seen.push(c));
    const published = channel.publish({ kind: 'registry' });
    expect(seen).toEqual([]);
    await published;
    expect(seen).toEqual([{ kind: 'registry' }]);
  });
});

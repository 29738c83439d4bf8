import { closedPort, createTestDatabase } from '@lgsp/testing';
import type { TestDatabase } from '@lgsp/testing';
import { sql } from 'drizzle-orm';

import { rowsOf } from '../../../test/test-database.util';
import { openDatabase } from './open-database.util';

describe('openDatabase on PostgreSQL', () => {
  let server: TestDatabase;

  beforeAll(async () => {
    server = await createTestDatabase();
  });
  afterAll(() => server?.drop());

  it('refuses to open an unreachable server, unless lazy: then only its queries fail', async () => {
    const url = `postgres://postgres@127.0.0.1:${await closedPort()}/lgsp`;
    await expect(openDatabase({ url })).rejects.toThrow(/ECONNREFUSED/);
    const lazy = await openDatabase({ url, lazy: true });
    try {
      await expect(lazy.db.execute(sql`select 1`)).rejects.toThrow();
    } finally {
      await lazy.close();
    }
  });

  it('survives a connection lost inside a transaction: the transaction fails, the next query works', async () => {
    const errors: Error[] = [];
    const database = await openDatabase({ url: server.url, onPoolError: (error) => errors.push(error) });
    try {
      const lost = database.db.transaction(async (tx) => {
        const [{ pid }] = rowsOf<{ pid: number }>(await tx.execute(sql`select pg_backend_pid() as pid`));
        // Another connection ends this one while the transaction holds it between queries.
        await database.db.execute(sql`select pg_terminate_backend(${pid})`);
        while (errors.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
        await tx.execute(sql`select 1`);
      });
      await expect(lost).rejects.toThrow();
      expect(errors[0].message).toMatch(/terminat/);
      expect(rowsOf<{ one: number }>(await database.db.execute(sql`select 1 as one`))).toEqual([{ one: 1 }]);
    } finally {
      await database.close();
    }
  });
});

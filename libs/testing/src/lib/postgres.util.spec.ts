import { Client } from 'pg';

import { createTestDatabase } from './postgres.util';

describe('createTestDatabase', () => {
  it('creates a database of its own and drops it afterwards', async () => {
    const first = await createTestDatabase();
    const second = await createTestDatabase();
    expect(first.url).not.toBe(second.url);
    expect(new URL(first.url).pathname).toMatch(/^\/lgsp_test_[0-9a-f]{12}$/);

    // A connection still open does not keep the database alive: drop uses WITH (FORCE).
    const client = new Client({ connectionString: first.url });
    client.on('error', () => undefined);
    await client.connect();
    expect((await client.query('select current_database() as name')).rows[0].name).toBe(
      new URL(first.url).pathname.slice(1),
    );
    await first.drop();
    await first.drop();
    await second.drop();
    await client.end().catch(() => undefined);

    const reconnect = new Client({ connectionString: first.url });
    await expect(reconnect.connect()).rejects.toThrow(/does not exist/);
  });
});

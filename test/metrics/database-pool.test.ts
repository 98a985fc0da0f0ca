import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { onServer, openTestDatabase } from '../helpers/database.js';

describe('poolStats', () => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(() => database.close());

  /** Holds one connection in an open transaction until `release` is called. */
  async function holdConnection() {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const done = database.db.transaction().execute(async (trx) => {
      await sql`select 1`.execute(trx);
      await held;
    });
    await vi.waitFor(() => expect(database.poolStats().idle).toBe(database.poolStats().total - 1));
    return { release, done };
  }

  it.skipIf(onServer)('embedded: one connection, and the callers queued for it', async () => {
    const holder = await holdConnection();
    const queued = sql`select 1`.execute(database.db);

    await vi.waitFor(() => expect(database.poolStats()).toEqual({ total: 1, idle: 0, waiting: 1 }));
    holder.release();
    await Promise.all([holder.done, queued]);

    expect(database.poolStats()).toEqual({ total: 1, idle: 1, waiting: 0 });
  });

  it.runIf(onServer)('server: the connections open, in use and idle', async () => {
    const holder = await holdConnection();
    const during = database.poolStats();
    holder.release();
    await holder.done;

    const after = database.poolStats();
    expect(during.total).toBeGreaterThanOrEqual(1);
    expect(during.waiting).toBe(0);
    expect(after.idle).toBe(after.total);
  });
});

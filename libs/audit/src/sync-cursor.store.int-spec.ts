import { Pool } from 'pg';
import { createTestDatabase, TestDatabase } from '@app/testing';
import { SyncCursorStore } from './sync-cursor.store';

/** Regression: many concurrent syncs each holding a cursor lock must not starve their own queries of connections. */
describe('SyncCursorStore.withLock under concurrency', () => {
  let db: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new Pool({ connectionString: db.url, max: 10 });
    // Dropping the test database terminates pooled connections (57P01) after pool.end(): not an error here.
    pool.on('error', () => undefined);
    // As AuditDb does: a checked-out client whose connection dies emits 'error' (the next query reports it).
    pool.on('connect', (client) => client.on('error', () => undefined));
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('completes 40 concurrent locked syncs on a pool of 10 (each sync also reads and writes its cursor)', async () => {
    const store = new SyncCursorStore(pool);
    const results = await Promise.race([
      Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          store.withLock(`tenant:${i}`, 'test', async () => {
            const c = await store.get(`tenant:${i}`, 'test');
            await store.save(`tenant:${i}`, 'test', { ...c, watermark: new Date() });
            return i;
          }),
        ),
      ),
      new Promise<'deadlock'>((resolve) => setTimeout(() => resolve('deadlock'), 15_000)),
    ]);
    expect(results).toEqual(Array.from({ length: 40 }, (_, i) => i));
    const { rows } = await pool.query<{ n: string }>("SELECT count(*) AS n FROM sync_cursors WHERE source = 'test'");
    expect(Number(rows[0]!.n)).toBe(40);
  });

  it("a lock connection lost mid-sync (Postgres restarting) neither masks the sync's result nor returns to the pool", async () => {
    const store = new SyncCursorStore(pool);
    const result = await store.withLock('tenant:lost', 'test', async () => {
      const { rows } = await pool.query<{ pid: number }>(
        // Only this test database's lock: other test files hold advisory locks on other databases at the same time.
        `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      expect(rows).toHaveLength(1);
      await pool.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      await new Promise((r) => setTimeout(r, 200));
      return 'synced';
    });
    expect(result).toBe('synced');
    // The session ended, so the lock is free; and every pooled client still answers (the broken one was destroyed).
    expect(await store.withLock('tenant:lost', 'test', async () => 'again')).toBe('again');
    const clients = await Promise.all(Array.from({ length: 10 }, () => pool.connect()));
    try {
      await Promise.all(clients.map((c) => c.query('SELECT 1')));
    } finally {
      clients.forEach((c) => c.release());
    }
  });
});

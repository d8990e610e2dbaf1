import { Pool } from 'pg';
import { createTestDatabase, TestDatabase } from '@app/testing';
import { SyncCursorStore } from './sync-cursor.store';

/** The cursor lease (withLock): one sync per cursor across processes, no connection held while a sync runs. */
describe('SyncCursorStore.withLock', () => {
  let db: TestDatabase;
  let pool: Pool;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new Pool({ connectionString: db.url, max: 10 });
    // Dropping the test database terminates pooled connections (57P01) after pool.end(): not an error here.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => client.on('error', () => undefined));
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  const lease = async (scope: string) =>
    (await pool.query<{ lease_owner: string | null }>("SELECT lease_owner FROM sync_cursors WHERE scope = $1 AND source = 'test'", [scope])).rows[0]?.lease_owner;

  it('runs 40 concurrent syncs on a pool of 10, each cursor read with its lease and written with its release', async () => {
    const store = new SyncCursorStore(pool);
    const at = new Date('2026-12-01T00:00:00.000Z');
    const results = await Promise.race([
      Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          store.withLock(`tenant:${i}`, 'test', async (held) => {
            expect(held.cursor).toEqual({ watermark: null, boundaryIds: {}, changeToken: null, openItems: {} });
            // The sync's own queries while 40 leases are held: no connection is kept by a lease.
            await pool.query('SELECT pg_sleep(0.05)');
            held.stage({ ...held.cursor, watermark: at, boundaryIds: { [`e${i}`]: 1 } });
            return i;
          }),
        ),
      ),
      new Promise<'deadlock'>((resolve) => setTimeout(() => resolve('deadlock'), 15_000).unref()),
    ]);
    expect(results).toEqual(Array.from({ length: 40 }, (_, i) => i));
    const { rows } = await pool.query<{ n: string; leased: string; saved: string }>(
      "SELECT count(*) AS n, count(lease_owner) AS leased, count(*) FILTER (WHERE watermark = $1) AS saved FROM sync_cursors WHERE source = 'test' AND scope LIKE 'tenant:%'",
      [at],
    );
    expect(rows[0]).toEqual({ n: '40', leased: '0', saved: '40' });
    // The next lease reads what the last release wrote.
    expect(await store.withLock('tenant:7', 'test', async (held) => held.cursor)).toEqual({ watermark: at, boundaryIds: { e7: 1 }, changeToken: null, openItems: {} });
  });

  it('refuses a second holder while the lease is held, renews it for a long sync, and frees it at release', async () => {
    const store = new SyncCursorStore(pool, 300);
    let second: string | undefined = 'not tried';
    const first = await store.withLock('tenant:busy', 'test', async () => {
      second = await store.withLock('tenant:busy', 'test', async () => 'second');
      // Longer than the 300 ms lease: renewals keep it.
      await sleep(700);
      expect(await store.withLock('tenant:busy', 'test', async () => 'late')).toBeUndefined();
      return 'first';
    });
    expect([first, second]).toEqual(['first', undefined]);
    expect(await lease('tenant:busy')).toBeNull();
    expect(await store.withLock('tenant:busy', 'test', async () => 'again')).toBe('again');
  });

  it('frees the cursor of a holder that died once its lease expires', async () => {
    // What a killed worker leaves: a lease nobody renews.
    await pool.query("INSERT INTO sync_cursors (scope, source, updated_at, lease_owner, lease_until) VALUES ('tenant:dead', 'test', now(), 'dead', now() + interval '400 milliseconds')");
    const store = new SyncCursorStore(pool);
    expect(await store.withLock('tenant:dead', 'test', async () => 'now')).toBeUndefined();
    await sleep(500);
    expect(await store.withLock('tenant:dead', 'test', async () => 'later')).toBe('later');
  });

  it("writes a staged cursor when the sync fails after staging it, and the sync's error stands", async () => {
    const store = new SyncCursorStore(pool);
    const at = new Date('2026-12-02T00:00:00.000Z');
    await expect(
      store.withLock('tenant:fails', 'test', async (held) => {
        held.stage({ ...held.cursor, watermark: at });
        throw new Error('page 3 failed');
      }),
    ).rejects.toThrow('page 3 failed');
    expect((await store.get('tenant:fails', 'test')).watermark).toEqual(at);
    expect(await lease('tenant:fails')).toBeNull();
  });

  it('survives its connections being cut mid-sync (Postgres restarting): the result stands and the lease is released', async () => {
    const store = new SyncCursorStore(pool);
    const result = await store.withLock('tenant:cut', 'test', async () => {
      const admin = new Pool({ connectionString: db.url, max: 1 });
      try {
        await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
      } finally {
        await admin.end();
      }
      await sleep(200);
      return 'synced';
    });
    expect(result).toBe('synced');
    expect(await lease('tenant:cut')).toBeNull();
    expect(await store.withLock('tenant:cut', 'test', async () => 'again')).toBe('again');
  });
});

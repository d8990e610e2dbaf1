import { Client } from 'pg';
import { parseConfig } from '@app/config';
import { createTestDatabase, TestDatabase } from '@app/testing';
import { AuditDb } from './audit-db';

/** A Postgres restart must not kill the process through the audit pool (found by npm run chaos). */
describe('AuditDb when Postgres drops its connections', () => {
  let db: TestDatabase;
  let audit: AuditDb;

  beforeAll(async () => {
    db = await createTestDatabase();
    audit = new AuditDb(parseConfig({ DATABASE_URL: db.url, LOG_LEVEL: 'silent' }));
  });

  afterAll(async () => {
    await audit?.onModuleDestroy();
    await db?.drop();
  });

  const terminateOthers = async () => {
    const admin = new Client({ connectionString: db.url });
    await admin.connect();
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
    await admin.end();
    await new Promise((r) => setTimeout(r, 300)); // the 'error' events arrive now
  };

  it('survives losing a client held for a cursor lock and idle pooled clients, and works again afterwards', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => uncaught.push(e);
    process.on('uncaughtException', onUncaught);
    try {
      await audit.pool.query('SELECT 1'); // leaves an idle client in the pool
      const held = audit.cursors.withLock('tenant-x', 'entra', terminateOthers);
      await held.catch(() => undefined); // the unlock query fails on the dead connection: that is reported, not fatal
      await terminateOthers();
      expect(uncaught).toEqual([]);
      expect((await audit.pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});

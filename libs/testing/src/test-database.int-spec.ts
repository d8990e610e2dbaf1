import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from 'pg';
import { repoRoot } from '@app/common';
import { createTestDatabase, ensureTestTemplate, TEST_DATABASE_PREFIX, testAdminUrl } from './test-database';

async function queryOne<T extends object>(url: string, sql: string): Promise<T | undefined> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows[0];
  } finally {
    await client.end();
  }
}

describe('test databases', () => {
  it('keeps the template when the migrations did not change', async () => {
    await ensureTestTemplate();
    const second = await ensureTestTemplate();
    expect(second.rebuilt).toBe(false);
    expect(second.applied).toEqual([]);
  });

  it('clones a migrated database of its own and drops it', async () => {
    const migrations = (
      await readdir(join(repoRoot(), 'prisma', 'migrations'), { withFileTypes: true })
    ).filter((e) => e.isDirectory());
    const db = await createTestDatabase();
    expect(db.name.startsWith(TEST_DATABASE_PREFIX)).toBe(true);
    const applied = await queryOne<{ n: string }>(
      db.url,
      'SELECT count(*) AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL',
    );
    expect(Number(applied?.n)).toBe(migrations.length);
    expect(await queryOne(db.url, "SELECT to_regclass('public.tenants')::text AS t")).toEqual({
      t: 'tenants',
    });

    await db.drop();
    const left = await queryOne<{ n: string }>(
      testAdminUrl(),
      `SELECT count(*) AS n FROM pg_database WHERE datname = '${db.name}'`,
    );
    expect(left?.n).toBe('0');
  });
});

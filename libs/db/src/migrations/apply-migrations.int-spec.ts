import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { repoRoot } from '@app/common';
import { createEmptyTestDatabase, type TestDatabase } from '@app/testing';
import { applyMigrations } from './apply-migrations';
import { MigrationError } from './migration-errors';
import { migrationChecksum, MIGRATION_LOCK_CONTENT } from './migration-list';

interface MigrationRow {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | null;
  started_at: Date;
  applied_steps_count: number;
}

async function query<T extends object>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

const migrationRows = (url: string): Promise<MigrationRow[]> =>
  query<MigrationRow>(url, 'SELECT * FROM _prisma_migrations ORDER BY migration_name');

const tableExists = async (url: string, table: string): Promise<boolean> =>
  (await query<{ t: string | null }>(url, `SELECT to_regclass('public.${table}')::text AS t`))[0]?.t !== null;

async function writeMigration(dir: string, name: string, sql: string): Promise<void> {
  await mkdir(join(dir, name), { recursive: true });
  await writeFile(join(dir, name, 'migration.sql'), sql);
}

describe('applyMigrations (wasm schema engine)', () => {
  const realMigrations = join(repoRoot(), 'prisma', 'migrations');
  let db: TestDatabase;
  let tempDir: string;

  beforeEach(async () => {
    db = await createEmptyTestDatabase();
    tempDir = await mkdtemp(join(tmpdir(), 'orchestrator-migrations-'));
    await writeFile(join(tempDir, 'migration_lock.toml'), MIGRATION_LOCK_CONTENT);
  });
  afterEach(async () => {
    await db.drop();
    await rm(tempDir, { recursive: true, force: true });
  });

  it('applies the project migrations once; the second run applies nothing and leaves _prisma_migrations as it was', async () => {
    const first = await applyMigrations({ databaseUrl: db.url, migrationsDir: realMigrations });
    expect(first.applied.length).toBeGreaterThan(0);
    expect(await tableExists(db.url, 'tenants')).toBe(true);
    const rowsAfterFirst = await migrationRows(db.url);

    const second = await applyMigrations({ databaseUrl: db.url, migrationsDir: realMigrations });
    expect(second.applied).toEqual([]);
    expect(await migrationRows(db.url)).toEqual(rowsAfterFirst);
  });

  it('records migrations in _prisma_migrations the way prisma migrate deploy does', async () => {
    const sql1 = 'CREATE TABLE "alpha" ("id" INTEGER NOT NULL PRIMARY KEY);\n';
    const sql2 = 'CREATE TABLE "beta" ("id" INTEGER NOT NULL PRIMARY KEY);\n';
    await writeMigration(tempDir, '20260101000000_alpha', sql1);
    await writeMigration(tempDir, '20260102000000_beta', sql2);

    const result = await applyMigrations({ databaseUrl: db.url, migrationsDir: tempDir });
    expect(result.applied).toEqual(['20260101000000_alpha', '20260102000000_beta']);

    const rows = await migrationRows(db.url);
    expect(rows.map((r) => r.migration_name)).toEqual(['20260101000000_alpha', '20260102000000_beta']);
    const expectedChecksums = [migrationChecksum(sql1), migrationChecksum(sql2)];
    rows.forEach((row, i) => {
      expect(row.checksum).toBe(expectedChecksums[i]);
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.started_at).toBeInstanceOf(Date);
      expect(row.applied_steps_count).toBe(1);
      expect(row.rolled_back_at).toBeNull();
      expect(row.logs).toBeNull();
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
    });
    // The column set prisma migrate deploy creates and expects.
    const columns = await query<{ column_name: string }>(
      db.url,
      "SELECT column_name FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY column_name",
    );
    expect(columns.map((c) => c.column_name)).toEqual([
      'applied_steps_count',
      'checksum',
      'finished_at',
      'id',
      'logs',
      'migration_name',
      'rolled_back_at',
      'started_at',
    ]);
    // The real project migration: checksum of the file as committed.
    const real = await createEmptyTestDatabase();
    try {
      const { applied } = await applyMigrations({ databaseUrl: real.url, migrationsDir: realMigrations });
      const realRows = await migrationRows(real.url);
      for (const [i, name] of applied.entries()) {
        const fileSql = await readFile(join(realMigrations, name, 'migration.sql'));
        expect(realRows[i]).toMatchObject({
          migration_name: name,
          checksum: migrationChecksum(fileSql),
          applied_steps_count: 1,
        });
      }
    } finally {
      await real.drop();
    }
  });

  it('reports an edited, already-applied migration as a checksum mismatch and applies nothing', async () => {
    await writeMigration(tempDir, '20260101000000_alpha', 'CREATE TABLE "alpha" ("id" INTEGER NOT NULL);\n');
    expect((await applyMigrations({ databaseUrl: db.url, migrationsDir: tempDir })).applied).toEqual([
      '20260101000000_alpha',
    ]);
    const rowsBefore = await migrationRows(db.url);

    await writeMigration(tempDir, '20260101000000_alpha', 'CREATE TABLE "alpha" ("id" BIGINT NOT NULL);\n');
    await writeMigration(tempDir, '20260102000000_beta', 'CREATE TABLE "beta" ("id" INTEGER NOT NULL);\n');

    const error = await applyMigrations({ databaseUrl: db.url, migrationsDir: tempDir }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).code).toBe('migration_checksum_mismatch');
    expect((error as MigrationError).message).toContain('20260101000000_alpha');
    expect((error as MigrationError).message).toMatch(/checksum mismatch/i);
    expect(await tableExists(db.url, 'beta')).toBe(false);
    expect(await migrationRows(db.url)).toEqual(rowsBefore);
  });

  it('reports a failing migration clearly, naming it, and keeps the ones before it', async () => {
    await writeMigration(tempDir, '20260101000000_alpha', 'CREATE TABLE "alpha" ("id" INTEGER NOT NULL);\n');
    await writeMigration(tempDir, '20260102000000_broken', 'CREATE TABLE "broken" ("id" NO_SUCH_TYPE);\n');

    const error = await applyMigrations({ databaseUrl: db.url, migrationsDir: tempDir }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).code).toBe('migration_failed');
    expect((error as MigrationError).message).toContain('20260102000000_broken');
    expect((error as MigrationError).message).toContain('no_such_type');
    expect(await tableExists(db.url, 'alpha')).toBe(true);

    // The failure is recorded as prisma migrate deploy records it, and blocks later runs.
    const rows = await migrationRows(db.url);
    expect(rows.find((r) => r.migration_name === '20260102000000_broken')?.finished_at).toBeNull();
    const again = await applyMigrations({ databaseUrl: db.url, migrationsDir: tempDir }).catch(
      (e: unknown) => e,
    );
    expect((again as MigrationError).code).toBe('migration_previously_failed');
  });
});

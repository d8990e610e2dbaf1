import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { repoRoot } from '@app/common';
import { applyMigrations } from '@app/db';
import { createEmptyTestDatabase, testAdminUrl } from '@app/testing';
import { createMigration, migrationTimestamp } from './create-migration';

async function scratchDatabases(): Promise<string[]> {
  const client = new Client({ connectionString: testAdminUrl() });
  await client.connect();
  try {
    const res = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname ~ '^orchestrator_(shadow|diff)_'",
    );
    return res.rows.map((r) => r.datname);
  } finally {
    await client.end();
  }
}

describe('db:diff (createMigration)', () => {
  const root = repoRoot();
  const schemaPath = join(root, 'prisma', 'schema.prisma');
  let dir: string;
  let migrationsDir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'orchestrator-diff-'));
    migrationsDir = join(dir, 'migrations');
    await cp(join(root, 'prisma', 'migrations'), migrationsDir, { recursive: true });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('writes nothing when schema.prisma matches the migrations', async () => {
    const before = await readdir(migrationsDir, { recursive: true });
    const result = await createMigration({
      databaseUrl: testAdminUrl(),
      migrationsDir,
      schemaPath,
      name: 'nothing',
    });
    expect(result).toEqual({ migration: null, sql: '' });
    expect(await readdir(migrationsDir, { recursive: true })).toEqual(before);
    expect(await scratchDatabases()).toEqual([]);
  });

  it('writes a migration for a changed schema that applies cleanly and leaves no difference behind', async () => {
    const changedSchema = join(dir, 'schema.prisma');
    const model = '\nmodel Widget {\n  id   String @id @db.Uuid\n  name String\n\n  @@map("widgets")\n}\n';
    await writeFile(changedSchema, (await readFile(schemaPath, 'utf8')) + model);
    const now = new Date(Date.UTC(2099, 0, 2, 3, 4, 5));

    const result = await createMigration({
      databaseUrl: testAdminUrl(),
      migrationsDir,
      schemaPath: changedSchema,
      name: 'add_widgets',
      now,
    });
    expect(result.migration).toBe('20990102030405_add_widgets');
    expect(migrationTimestamp(now)).toBe('20990102030405');
    const sql = await readFile(join(migrationsDir, '20990102030405_add_widgets', 'migration.sql'), 'utf8');
    expect(sql).toBe(result.sql);
    expect(sql).toContain('CREATE TABLE "widgets"');
    expect(sql).not.toContain('"tenants"');

    const db = await createEmptyTestDatabase();
    try {
      const { applied } = await applyMigrations({ databaseUrl: db.url, migrationsDir });
      expect(applied[applied.length - 1]).toBe('20990102030405_add_widgets');
    } finally {
      await db.drop();
    }
    const again = await createMigration({
      databaseUrl: testAdminUrl(),
      migrationsDir,
      schemaPath: changedSchema,
      name: 'again',
    });
    expect(again.migration).toBeNull();
    expect(await scratchDatabases()).toEqual([]);
  });

  it('rejects a migration name that is not snake_case', async () => {
    await expect(
      createMigration({ databaseUrl: testAdminUrl(), migrationsDir, schemaPath, name: 'Add Widgets' }),
    ).rejects.toThrow(/Invalid migration name/);
  });
});

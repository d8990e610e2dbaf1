import { CodedError } from '@app/common';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  diffMigrations,
  MIGRATION_FILE,
  MIGRATION_LOCK_CONTENT,
  MIGRATION_LOCK_FILE,
  readMigrationList,
} from '@app/db';

export interface CreateMigrationOptions {
  databaseUrl: string;
  migrationsDir: string;
  schemaPath: string;
  name: string;
  now?: Date;
}

export interface CreateMigrationResult {
  /** Folder name of the migration written, or null when the schema matches the migrations (nothing written). */
  migration: string | null;
  sql: string;
}

/** yyyyMMddHHmmss in UTC, the prefix Prisma gives migration folders. */
export function migrationTimestamp(now: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return (
    p(now.getUTCFullYear(), 4) +
    p(now.getUTCMonth() + 1) +
    p(now.getUTCDate()) +
    p(now.getUTCHours()) +
    p(now.getUTCMinutes()) +
    p(now.getUTCSeconds())
  );
}

/**
 * Writes <migrationsDir>/<timestamp>_<name>/migration.sql with the SQL from the migrations' end state to the
 * schema (and migration_lock.toml if missing), like `prisma migrate dev --create-only` does. Writes nothing when
 * there is no difference.
 */
export async function createMigration(options: CreateMigrationOptions): Promise<CreateMigrationResult> {
  if (!/^[a-z0-9_]+$/.test(options.name)) {
    throw new CodedError(
      'invalid_migration_name',
      `Invalid migration name "${options.name}"`,
      'Use lower-case letters, digits and underscores, e.g. add_audit_events',
    );
  }
  const existing = (await readMigrationList(options.migrationsDir)).migrationDirectories.map((d) => d.path);
  const applied = await Promise.all(existing.map((d) => readFile(join(options.migrationsDir, d, MIGRATION_FILE), 'utf8').catch(() => '')));
  const sql = withoutIndexRoundTrips(await diffMigrations(options), applied.join('\n'));
  if (sql === '') return { migration: null, sql };

  const migration = `${migrationTimestamp(options.now ?? new Date())}_${options.name}`;
  const last = existing[existing.length - 1];
  if (last !== undefined && migration.localeCompare(last) <= 0) {
    // The engine applies folders in name order; a new one must sort after every existing one.
    throw new CodedError(
      'migration_out_of_order',
      `New migration ${migration} would not sort after the latest one (${last})`,
      'Check the system clock (folder names start with the UTC time)',
    );
  }
  await mkdir(options.migrationsDir, { recursive: true });
  await mkdir(join(options.migrationsDir, migration)); // fails rather than overwrite an existing folder
  await writeFile(join(options.migrationsDir, migration, MIGRATION_FILE), sql);
  const lockPath = join(options.migrationsDir, MIGRATION_LOCK_FILE);
  const hasLock = await access(lockPath).then(
    () => true,
    () => false,
  );
  if (!hasLock) await writeFile(lockPath, MIGRATION_LOCK_CONTENT);
  return { migration, sql };
}

/**
 * Prisma cannot express some index definitions the way the database reports them back (a GIN index over btree_gin
 * columns must name `uuid_ops`/`text_ops` in the schema, but introspection sees those types' default classes and
 * reports none), so every diff would propose dropping such an index and creating it again, unchanged. A
 * `DROP INDEX x` paired with a `CREATE INDEX x …` whose statement is, character for character, one an existing
 * migration already ran is that artefact: both are removed. Any real change to the index differs in text and stays.
 */
export function withoutIndexRoundTrips(sql: string, existingMigrations: string): string {
  const blocks = sql.split(/\n\n(?=-- )/);
  const created = new Map<string, number>();
  blocks.forEach((b, i) => {
    const m = /^-- CreateIndex\n(CREATE (?:UNIQUE )?INDEX "([^"]+)"[^\n]*;)\s*$/.exec(b);
    if (m && existingMigrations.includes(m[1])) created.set(m[2], i);
  });
  const drop = new Set<number>();
  blocks.forEach((b, i) => {
    const m = /^-- DropIndex\nDROP INDEX "([^"]+)";\s*$/.exec(b);
    const j = m ? created.get(m[1]) : undefined;
    if (j !== undefined) drop.add(i).add(j);
  });
  if (!drop.size) return sql;
  const kept = blocks.filter((_, i) => !drop.has(i)).join('\n\n');
  return kept.trim() === '' ? '' : kept.endsWith('\n') ? kept : `${kept}\n`;
}

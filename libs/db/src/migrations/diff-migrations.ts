import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { NO_SCHEMA_FILTER } from './apply-migrations';
import {
  dropProjectDatabase,
  generatedDatabaseName,
  quoteIdent,
  withAdminClient,
  withDatabase,
} from './database-admin';
import { toMigrationError } from './migration-errors';
import { MIGRATION_LOCK_CONTENT, readMigrationList } from './migration-list';
import { withSchemaEngine, type EngineLog } from './schema-engine';

export interface DiffMigrationsOptions {
  /**
   * Any database URL of the server to work on (the database itself need not exist and is never touched): the
   * engine's own connection goes to a scratch database orchestrator_diff_*, the migrations are replayed into a
   * shadow database orchestrator_shadow_*, and both are dropped afterwards.
   */
  databaseUrl: string;
  migrationsDir: string;
  /** The Prisma schema describing the desired end state. */
  schemaPath: string;
  onLog?: (log: EngineLog) => void;
}

/**
 * The SQL that takes a database from the end state of `migrationsDir` to `schemaPath`, as `prisma migrate diff
 * --from-migrations --to-schema --script` prints it. Returns '' when there is no difference.
 */
export async function diffMigrations(options: DiffMigrationsOptions): Promise<string> {
  const migrationsList = await readMigrationList(options.migrationsDir);
  // The engine takes the connector from migration_lock.toml; a new, empty migrations folder has none yet.
  migrationsList.lockfile.content ??= MIGRATION_LOCK_CONTENT;
  const content = await readFile(options.schemaPath, 'utf8');
  // The engine insists on connecting to a "main" database even for a diff that only uses the shadow one.
  const scratch = generatedDatabaseName('diff');
  await withAdminClient(options.databaseUrl, (c) => c.query(`CREATE DATABASE ${quoteIdent(scratch)}`));
  return withSchemaEngine(
    withDatabase(options.databaseUrl, scratch),
    async (engine) => {
      const result = await engine.diff({
        from: { tag: 'migrations', ...migrationsList },
        to: { tag: 'schemaDatamodel', files: [{ path: basename(options.schemaPath), content }] },
        script: true,
        // With exitCode requested the engine answers 2 for a non-empty diff and 0 for none, which is more
        // robust than recognising its "empty migration" comment.
        exitCode: true,
        filters: NO_SCHEMA_FILTER,
      });
      return result.exitCode === 2 ? (result.stdout ?? '') : '';
    },
    options.onLog,
  )
    .catch((error: unknown) => {
      throw toMigrationError(error, 'Diffing the migrations against the schema failed');
    })
    .finally(() => withAdminClient(options.databaseUrl, (c) => dropProjectDatabase(c, scratch)));
}

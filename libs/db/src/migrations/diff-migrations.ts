import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { NO_SCHEMA_FILTER } from './apply-migrations';
import { toMigrationError } from './migration-errors';
import { MIGRATION_LOCK_CONTENT, readMigrationList } from './migration-list';
import { withSchemaEngine, type EngineLog } from './schema-engine';

export interface DiffMigrationsOptions {
  /**
   * A database on the server used for the shadow database: the engine replays the migrations into a database
   * it creates there (named orchestrator_shadow_*) and drops it afterwards. The database itself is not changed.
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
  return withSchemaEngine(
    options.databaseUrl,
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
  ).catch((error: unknown) => {
    throw toMigrationError(error, 'Diffing the migrations against the schema failed');
  });
}

import type { SchemaFilter } from '@prisma/schema-engine-wasm';
import { MigrationError, toMigrationError } from './migration-errors';
import { readMigrationList } from './migration-list';
import { withSchemaEngine, type EngineLog } from './schema-engine';

export const NO_SCHEMA_FILTER: SchemaFilter = { externalTables: [], externalEnums: [] };

export interface ApplyMigrationsOptions {
  /** The database to migrate; it must exist. */
  databaseUrl: string;
  /** A migrations folder in Prisma's format (<timestamp>_<name>/migration.sql, migration_lock.toml). */
  migrationsDir: string;
  onLog?: (log: EngineLog) => void;
}

export interface ApplyMigrationsResult {
  /** Folder names of the migrations applied by this call, in order; empty when the database was up to date. */
  applied: string[];
}

/**
 * Applies the pending migrations of `migrationsDir` with Prisma's wasm schema engine, which records them in
 * _prisma_migrations exactly as `prisma migrate deploy` does (checksum = sha256 of migration.sql, one applied
 * step per migration, under Prisma's advisory lock).
 *
 * Stricter than `migrate deploy`, which only ignores edited migrations: when a migration already applied was
 * edited on disk since, or a failed migration is recorded, nothing is applied and a MigrationError names them.
 */
export async function applyMigrations(options: ApplyMigrationsOptions): Promise<ApplyMigrationsResult> {
  const migrationsList = await readMigrationList(options.migrationsDir);
  return withSchemaEngine(
    options.databaseUrl,
    async (engine) => {
      let diagnosis;
      try {
        diagnosis = await engine.diagnoseMigrationHistory({
          migrationsList,
          optInToShadowDatabase: false,
          filters: NO_SCHEMA_FILTER,
        });
      } catch (error) {
        throw toMigrationError(error, 'Could not read the migration history');
      }
      if (diagnosis.editedMigrationNames.length > 0) {
        const names = diagnosis.editedMigrationNames.join(', ');
        throw new MigrationError(
          'migration_checksum_mismatch',
          `Checksum mismatch: migration(s) ${names} were edited after being applied to this database; nothing was applied.`,
          'Never edit an applied migration: restore its original migration.sql and put the change in a new migration ' +
            '(npm run db:diff -- --name <name>).',
          { editedMigrationNames: diagnosis.editedMigrationNames },
        );
      }
      if (diagnosis.failedMigrationNames.length > 0) {
        throw new MigrationError(
          'migration_previously_failed',
          `Migration(s) ${diagnosis.failedMigrationNames.join(', ')} failed earlier on this database; nothing was applied.`,
          'Resolve the failed migration first (fix the database by hand, then mark it rolled back or applied).',
          { failedMigrationNames: diagnosis.failedMigrationNames },
        );
      }
      try {
        const out = await engine.applyMigrations({ migrationsList, filters: NO_SCHEMA_FILTER });
        return { applied: out.appliedMigrationNames };
      } catch (error) {
        throw toMigrationError(error, 'Applying migrations failed');
      }
    },
    options.onLog,
  ).catch((error: unknown) => {
    throw toMigrationError(error, 'Schema engine');
  });
}

import { CodedError } from '@app/common';

export type MigrationErrorCode =
  /** A migration already recorded in _prisma_migrations was edited on disk afterwards. */
  | 'migration_checksum_mismatch'
  /** A migration's SQL failed while being applied (it is recorded as failed, like `prisma migrate deploy` does). */
  | 'migration_failed'
  /** _prisma_migrations holds a failed migration from an earlier run; Prisma refuses to go on (P3009). */
  | 'migration_previously_failed'
  /** The migrations folder is unreadable or a migration.sql is missing. */
  | 'migrations_folder_invalid'
  /** Any other error reported by the schema engine (connection, invalid schema, ...). */
  | 'schema_engine_error';

export class MigrationError extends CodedError<MigrationErrorCode> {}

/** The shape of the errors the wasm schema engine rejects with (an Error whose message ends with a span trace). */
interface EngineErrorLike {
  name?: unknown;
  message?: unknown;
}

/**
 * Turns whatever the wasm engine rejected with into a MigrationError. The engine's message is
 * "<summary>\n   0: <span>\n  with migration_name=..." — the summary becomes the message, the span trace goes to
 * details, and a failure inside apply_script is reported as `migration_failed` naming the migration.
 */
export function toMigrationError(error: unknown, context: string): MigrationError {
  if (error instanceof MigrationError) return error;
  const e = (
    typeof error === 'object' && error !== null ? error : { message: String(error) }
  ) as EngineErrorLike;
  const full = typeof e.message === 'string' ? e.message : String(error);
  const traceStart = full.search(/\n\s*0: /);
  const summary = (traceStart >= 0 ? full.slice(0, traceStart) : full).trim();
  const trace = traceStart >= 0 ? full.slice(traceStart).trim() : undefined;
  const details = { engineError: typeof e.name === 'string' ? e.name : undefined, trace };
  const migrationName = /with migration_name="([^"]+)"/.exec(full)?.[1];
  if (migrationName && /apply_migration::apply_script|Applying migration/.test(full)) {
    return new MigrationError(
      'migration_failed',
      `${context}: migration ${migrationName} failed: ${summary}`,
      'Fix the SQL of that migration (it is now recorded as failed in _prisma_migrations and blocks later runs); ' +
        'on a development database drop and recreate it, elsewhere repair the database and mark the migration ' +
        'rolled back (prisma migrate resolve) before re-running.',
      { ...details, migrationName },
      { cause: error },
    );
  }
  if (/failed migrations/i.test(summary)) {
    return new MigrationError('migration_previously_failed', `${context}: ${summary}`, undefined, details, {
      cause: error,
    });
  }
  return new MigrationError('schema_engine_error', `${context}: ${summary}`, undefined, details, {
    cause: error,
  });
}

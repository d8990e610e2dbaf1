import { join } from 'node:path';
import { CodedError, repoRoot } from '@app/common';

/** Same default as prisma.config.ts, so the CLI tools and the Prisma CLI agree on the database. */
export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/orchestrator';

export function databaseUrlFromEnv(): string {
  return process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
}

export const projectPaths = (): { migrationsDir: string; schemaPath: string } => ({
  migrationsDir: join(repoRoot(), 'prisma', 'migrations'),
  schemaPath: join(repoRoot(), 'prisma', 'schema.prisma'),
});

/** Runs a CLI's main function: errors end the process with exit code 1 and their message and hint, no stack. */
export function runCli(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      if (error instanceof CodedError) {
        process.stderr.write(`error [${error.code}]: ${error.message}\n`);
        if (error.hint) process.stderr.write(`hint: ${error.hint}\n`);
      } else {
        process.stderr.write(
          `error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
        );
      }
      process.exit(1);
    },
  );
}

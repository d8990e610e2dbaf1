// `npm run db:migrate`: creates the database DATABASE_URL names if missing and applies prisma/migrations with the
// wasm schema engine, recording them in _prisma_migrations exactly as `prisma migrate deploy` would.
import { applyMigrations, createDatabaseIfMissing, redactUrl } from '@app/db';
import { databaseUrlFromEnv, projectPaths, runCli } from './cli-support';

runCli(async () => {
  const databaseUrl = databaseUrlFromEnv();
  if (await createDatabaseIfMissing(databaseUrl))
    process.stdout.write(`created database ${redactUrl(databaseUrl)}\n`);
  const { applied } = await applyMigrations({ databaseUrl, migrationsDir: projectPaths().migrationsDir });
  if (applied.length === 0) {
    process.stdout.write(`${redactUrl(databaseUrl)}: already up to date\n`);
    return;
  }
  process.stdout.write(`${redactUrl(databaseUrl)}: applied ${applied.length} migration(s):\n`);
  for (const name of applied) process.stdout.write(`  ${name}\n`);
});

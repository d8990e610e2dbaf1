// `npm run db:diff -- --name <name>`: writes prisma/migrations/<yyyyMMddHHmmss>_<name>/migration.sql for the
// difference between the end state of prisma/migrations and prisma/schema.prisma (wasm schema engine, offline).
import { CodedError } from '@app/common';
import { redactUrl } from '@app/db';
import { databaseUrlFromEnv, projectPaths, runCli } from './cli-support';
import { createMigration } from './create-migration';

function parseName(argv: string[]): string {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--name') return argv[i + 1] ?? '';
    if (arg.startsWith('--name=')) return arg.slice('--name='.length);
  }
  return '';
}

runCli(async () => {
  const name = parseName(process.argv.slice(2));
  if (!name)
    throw new CodedError(
      'usage',
      'missing --name',
      'npm run db:diff -- --name <name>   (lower-case letters, digits, underscores)',
    );
  const databaseUrl = databaseUrlFromEnv();
  const { migrationsDir, schemaPath } = projectPaths();
  process.stdout.write(
    `diffing prisma/migrations against prisma/schema.prisma (temporary orchestrator_diff_*/orchestrator_shadow_* databases on the server of ${redactUrl(databaseUrl)})\n`,
  );
  const result = await createMigration({ databaseUrl, migrationsDir, schemaPath, name });
  if (result.migration === null) {
    process.stdout.write('no difference between the migrations and schema.prisma: nothing written\n');
    return;
  }
  process.stdout.write(`wrote prisma/migrations/${result.migration}/migration.sql\n\n${result.sql}\n`);
});

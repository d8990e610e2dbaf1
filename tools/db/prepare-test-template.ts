// Run by `npm test` before jest: (re)builds the orchestrator_test_template database only when prisma/migrations
// changed, so every test file can clone a migrated database in milliseconds (libs/testing/src/test-database.ts).
import { redactUrl } from '@app/db';
import { ensureTestTemplate, testAdminUrl } from '@app/testing';
import { runCli } from './cli-support';

runCli(async () => {
  const started = Date.now();
  const state = await ensureTestTemplate();
  const ms = Date.now() - started;
  const what = state.rebuilt
    ? `rebuilt with ${state.applied.length} migration(s)`
    : 'up to date with prisma/migrations';
  process.stdout.write(
    `test database template ${state.name} on ${redactUrl(testAdminUrl())}: ${what} (${ms} ms)\n`,
  );
});

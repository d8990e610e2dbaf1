// Run by `npm test` before jest: (re)builds the orchestrator_test_template database only when prisma/migrations
// changed, so every test file can clone a migrated database in milliseconds (libs/testing/src/test-database.ts).
import { dropProjectDatabase, redactUrl, withAdminClient } from '@app/db';
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
  const dropped = await dropLeftoverTestDatabases();
  if (dropped.length) process.stdout.write(`dropped ${dropped.length} test database(s) left by interrupted runs\n`);
});

/**
 * Test files drop their databases in afterAll; a run killed half-way leaves them behind. Drop per-file test
 * databases (orchestrator_t_*) older than an hour with nobody connected: never one a running test uses.
 */
async function dropLeftoverTestDatabases(): Promise<string[]> {
  return withAdminClient(testAdminUrl(), async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      `SELECT d.datname FROM pg_database d
        WHERE d.datname LIKE 'orchestrator\\_t\\_%'
          AND (pg_stat_file('base/' || d.oid || '/PG_VERSION')).modification < now() - interval '1 hour'
          AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)`,
    );
    for (const r of rows) await dropProjectDatabase(client, r.datname);
    return rows.map((r) => r.datname);
  });
}

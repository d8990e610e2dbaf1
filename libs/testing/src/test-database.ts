import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { repoRoot } from '@app/common';
import {
  applyMigrations,
  databaseExists,
  dropProjectDatabase,
  migrationsFolderHash,
  quoteIdent,
  withAdminClient,
  withDatabase,
} from '@app/db';

export const TEST_TEMPLATE_DATABASE = 'orchestrator_test_template';
export const TEST_DATABASE_PREFIX = 'orchestrator_t_';
const DEFAULT_ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';
/** Serialises template rebuilds (exclusive) against clones (shared) across jest workers and processes. */
const TEMPLATE_LOCK_KEY = 0x6f7263; // arbitrary, constant: "orc"

export function testAdminUrl(): string {
  return process.env.TEST_DATABASE_ADMIN_URL || DEFAULT_ADMIN_URL;
}

export interface TestTemplateState {
  name: string;
  /** True when the template was (re)built by this call, false when it already matched the migrations. */
  rebuilt: boolean;
  applied: string[];
  hash: string;
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

const commentPrefix = 'migrations sha256 ';

async function templateComment(client: Client): Promise<string | null> {
  const res = await client.query<{ comment: string | null }>(
    "SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1",
    [TEST_TEMPLATE_DATABASE],
  );
  return res.rows[0]?.comment ?? null;
}

/**
 * Makes sure `orchestrator_test_template` holds exactly the current prisma/migrations: the hash of the migrations
 * folder is kept in the template's COMMENT ON DATABASE, and the template is dropped and rebuilt only when it
 * differs (or is missing). The comment is written last, so a build that failed half-way is rebuilt next time.
 */
export async function ensureTestTemplate(
  migrationsDir = join(repoRoot(), 'prisma', 'migrations'),
): Promise<TestTemplateState> {
  const adminUrl = testAdminUrl();
  const hash = await migrationsFolderHash(migrationsDir);
  const wanted = `${commentPrefix}${hash}`;
  return withAdminClient(adminUrl, async (client) => {
    if ((await templateComment(client)) === wanted) {
      return { name: TEST_TEMPLATE_DATABASE, rebuilt: false, applied: [], hash };
    }
    await client.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK_KEY]);
    try {
      // Another process may have rebuilt it while we waited for the lock.
      if ((await templateComment(client)) === wanted) {
        return { name: TEST_TEMPLATE_DATABASE, rebuilt: false, applied: [], hash };
      }
      if (await databaseExists(client, TEST_TEMPLATE_DATABASE)) {
        await client.query(`ALTER DATABASE ${quoteIdent(TEST_TEMPLATE_DATABASE)} IS_TEMPLATE false`);
        await dropProjectDatabase(client, TEST_TEMPLATE_DATABASE);
      }
      await client.query(`CREATE DATABASE ${quoteIdent(TEST_TEMPLATE_DATABASE)}`);
      const { applied } = await applyMigrations({
        databaseUrl: withDatabase(adminUrl, TEST_TEMPLATE_DATABASE),
        migrationsDir,
      });
      // IS_TEMPLATE lets CREATE DATABASE … TEMPLATE use it without superuser rights and documents its role.
      await client.query(`ALTER DATABASE ${quoteIdent(TEST_TEMPLATE_DATABASE)} IS_TEMPLATE true`);
      await client.query(`COMMENT ON DATABASE ${quoteIdent(TEST_TEMPLATE_DATABASE)} IS '${wanted}'`);
      return { name: TEST_TEMPLATE_DATABASE, rebuilt: true, applied, hash };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK_KEY]);
    }
  });
}

let templateReady: Promise<TestTemplateState> | undefined;

/**
 * A fresh, migrated database of its own for a test file: `orchestrator_t_<random>` cloned from the template
 * (CREATE DATABASE … TEMPLATE copies files, no migrations run). Call `drop()` in afterAll.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  templateReady ??= ensureTestTemplate();
  try {
    await templateReady;
  } catch (error) {
    templateReady = undefined;
    throw error;
  }
  const adminUrl = testAdminUrl();
  const name = `${TEST_DATABASE_PREFIX}${randomBytes(6).toString('hex')}`;
  await withAdminClient(adminUrl, async (client) => {
    await client.query('SELECT pg_advisory_lock_shared($1)', [TEMPLATE_LOCK_KEY]);
    try {
      await client.query(
        `CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(TEST_TEMPLATE_DATABASE)}`,
      );
    } finally {
      await client.query('SELECT pg_advisory_unlock_shared($1)', [TEMPLATE_LOCK_KEY]);
    }
  });
  let dropped = false;
  return {
    name,
    url: withDatabase(adminUrl, name),
    drop: async () => {
      if (dropped) return;
      dropped = true;
      await withAdminClient(adminUrl, (client) => dropProjectDatabase(client, name));
    },
  };
}

/** An empty database (no migrations) with the test prefix, for tests of the migration tooling itself. */
export async function createEmptyTestDatabase(): Promise<TestDatabase> {
  const adminUrl = testAdminUrl();
  const name = `${TEST_DATABASE_PREFIX}${randomBytes(6).toString('hex')}`;
  await withAdminClient(adminUrl, (client) => client.query(`CREATE DATABASE ${quoteIdent(name)}`));
  return {
    name,
    url: withDatabase(adminUrl, name),
    drop: () => withAdminClient(adminUrl, (client) => dropProjectDatabase(client, name)),
  };
}

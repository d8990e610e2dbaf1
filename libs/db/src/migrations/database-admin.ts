import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** Prefix of every database the project creates on its own (shadow and test databases); nothing else is ever dropped. */
export const PROJECT_DATABASE_PREFIX = 'orchestrator_';

/** The name of the database a postgres URL points at. */
export function databaseNameOf(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!name) throw new Error(`No database name in ${redactUrl(url)}`);
  return name;
}

/** The same server and credentials, another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable database URL)';
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A fresh database name with the project prefix, e.g. orchestrator_shadow_3f9a1c2b4d5e. */
export function generatedDatabaseName(kind: string): string {
  if (!/^[a-z0-9_]+$/.test(kind)) throw new Error(`Invalid database kind ${kind}`);
  return `${PROJECT_DATABASE_PREFIX}${kind}_${randomBytes(6).toString('hex')}`;
}

/** Runs `fn` with a connection to the maintenance database (postgres) of the server `url` points at. */
export async function withAdminClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: withDatabase(url, 'postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function databaseExists(client: Client, name: string): Promise<boolean> {
  const res = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  return (res.rowCount ?? 0) > 0;
}

/** Creates the database `url` points at unless it exists. Returns true when it was created. */
export async function createDatabaseIfMissing(url: string): Promise<boolean> {
  const name = databaseNameOf(url);
  return withAdminClient(url, async (client) => {
    if (await databaseExists(client, name)) return false;
    try {
      await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
      return true;
    } catch (error) {
      // Someone else created it between our check and CREATE (42P04 duplicate_database): that's fine.
      if ((error as { code?: string }).code === '42P04') return false;
      throw error;
    }
  });
}

/**
 * Drops a database the project created. Refuses any name without the project prefix, so a mistake in a caller
 * can never drop a database someone else owns. WITH (FORCE) ends leftover connections (PostgreSQL 13+).
 */
export async function dropProjectDatabase(client: Client, name: string): Promise<void> {
  if (!name.startsWith(PROJECT_DATABASE_PREFIX)) {
    throw new Error(`Refusing to drop ${name}: only databases named ${PROJECT_DATABASE_PREFIX}* are dropped`);
  }
  await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
}

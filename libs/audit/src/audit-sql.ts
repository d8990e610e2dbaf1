import { createHash } from 'node:crypto';
import { Pool, QueryResult, QueryResultRow } from 'pg';

/** Distinct statement texts named per process; a text beyond this goes unnamed (bounded per-connection caches). */
const MAX_NAMED = 100;
const names = new Map<string, string>();

/**
 * A stable name for a statement text: `audit_` and a hash of the text, so the same text gets the same name in every
 * process and a pool shared with another naming scheme (PrismaService's `s1`, `s2`, …) can never see one name used
 * for two texts. Undefined once MAX_NAMED texts are known.
 */
export function auditStatementName(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_NAMED) {
    name = `audit_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}

/**
 * The audit code's statements on its `pg` pool: with `prepared` (DATABASE_PREPARED_STATEMENTS, default on), each
 * constant text is sent as a named statement, so Postgres parses it once per connection and after a few runs reuses
 * its plan. Unnamed, the cursor lease, the audit rows and the cursor's release cost a tenant's first sync ~0.5 ms of
 * parsing and planning in Postgres (three statements, every sync: docs/audit.md "Ingestion").
 */
export class AuditSql {
  constructor(
    readonly pool: Pool,
    private readonly prepared = true,
  ) {}

  query<R extends QueryResultRow = QueryResultRow>(text: string, values: unknown[]): Promise<QueryResult<R>> {
    const name = this.prepared ? auditStatementName(text) : undefined;
    return name ? this.pool.query<R>({ name, text, values }) : this.pool.query<R>(text, values);
  }
}

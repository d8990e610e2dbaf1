import { Pool, QueryResult, QueryResultRow } from 'pg';
import { statementNames } from '@app/db';

/**
 * One name per distinct statement text in this process, `audit_1`, `audit_2`, …: the prefix keeps them apart from
 * PrismaService's `s1`, `s2`, … should the two ever share connections. Only constant texts come here (a handful);
 * past 100, texts go unnamed.
 */
const auditStatementName = statementNames(100, 'audit_');

/**
 * The audit code's statements on its `pg` pool: with `prepared` (DATABASE_PREPARED_STATEMENTS, default on), each
 * constant text is sent as a named statement, so Postgres parses it once per connection and after a few runs reuses
 * its plan. Unnamed, the cursor lease, the audit rows and the cursor's release were parsed and planned on every
 * tenant's first sync (docs/database.md "Prepared statements").
 */
export class AuditSql {
  constructor(
    private readonly pool: Pool,
    private readonly prepared = true,
  ) {}

  query<R extends QueryResultRow = QueryResultRow>(text: string, values: unknown[]): Promise<QueryResult<R>> {
    const name = this.prepared ? auditStatementName({ sql: text }) : undefined;
    return name ? this.pool.query<R>({ name, text, values }) : this.pool.query<R>(text, values);
  }
}

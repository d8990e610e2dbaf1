import { Pool } from 'pg';
import { refreshTrigramStats } from './audit-trigrams';

const monthStart = (d: Date): Date => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
const addMonths = (d: Date, n: number): Date => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1));
const partName = (d: Date): string => `audit_events_${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;

export interface RetentionResult {
  deleted: number;
  droppedPartitions: string[];
  createdPartitions: string[];
  /** Common item-name trigrams re-sampled for the `q=` search (audit-trigrams.ts). */
  trigramStats: number;
}

/**
 * Monthly partitions of `audit_events` and retention (docs/audit.md). Lives here rather than in a PL/pgSQL function
 * because the migration runner splits scripts on semicolons.
 */
export class AuditPartitions {
  constructor(private readonly pool: Pool) {}

  /** Creates the partitions for [from, from + months); a month with rows in the default partition is moved out. */
  async ensure(from: Date, months: number): Promise<string[]> {
    const created: string[] = [];
    for (let i = 0; i < months; i++) {
      const lo = addMonths(monthStart(from), i);
      const hi = addMonths(lo, 1);
      const name = partName(lo);
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        // One creator at a time across workers.
        await client.query("SELECT pg_advisory_xact_lock(hashtextextended('audit_partitions', 7))");
        const exists = (await client.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [name])).rows[0]?.t;
        if (!exists) {
          const inDefault = (await client.query('SELECT 1 FROM audit_events_default WHERE occurred_at >= $1 AND occurred_at < $2 LIMIT 1', [lo, hi])).rowCount;
          if (inDefault) {
            await client.query(`CREATE TABLE ${name} (LIKE audit_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
            await client.query(`WITH moved AS (DELETE FROM audit_events_default WHERE occurred_at >= $1 AND occurred_at < $2 RETURNING *) INSERT INTO ${name} SELECT * FROM moved`, [lo, hi]);
            await client.query(`ALTER TABLE audit_events ATTACH PARTITION ${name} FOR VALUES FROM ('${lo.toISOString()}') TO ('${hi.toISOString()}')`);
          } else {
            await client.query(`CREATE TABLE ${name} PARTITION OF audit_events FOR VALUES FROM ('${lo.toISOString()}') TO ('${hi.toISOString()}')`);
          }
          created.push(name);
        }
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK');
        throw e;
      } finally {
        client.release();
      }
    }
    return created;
  }

  /**
   * Daily retention: rows older than each tenant's retentionDays are deleted (in bounded batches); a whole monthly
   * partition older than the longest retention of any tenant is dropped instead (instant, no bloat). Rows of
   * deleted tenants follow the default retention. Also keeps partitions created 3 months ahead and re-samples the
   * item-name trigram statistics.
   */
  async enforceRetention(now = new Date(), defaultDays = 365): Promise<RetentionResult> {
    const createdPartitions = await this.ensure(addMonths(now, -1), 4);
    let deleted = 0;
    for (;;) {
      const r = await this.pool.query(
        `DELETE FROM audit_events e USING (
           SELECT a.occurred_at, a.id FROM audit_events a LEFT JOIN tenants t ON t.id = a.tenant_id
           WHERE a.occurred_at < $1::timestamptz - make_interval(days => COALESCE(t.retention_days, $2::int))
           LIMIT 10000) d
         WHERE e.occurred_at = d.occurred_at AND e.id = d.id`,
        [now, defaultDays],
      );
      deleted += r.rowCount ?? 0;
      if ((r.rowCount ?? 0) < 10_000) break;
    }
    const { rows } = await this.pool.query<{ days: number | null }>('SELECT max(retention_days) AS days FROM tenants');
    const maxDays = Math.max(rows[0]?.days ?? defaultDays, defaultDays);
    const cutoff = new Date(now.getTime() - maxDays * 86_400_000);
    const parts = await this.pool.query<{ name: string; bound: string }>(
      `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = 'audit_events'::regclass AND c.relname ~ '^audit_events_[0-9]{6}$'`,
    );
    const droppedPartitions: string[] = [];
    for (const p of parts.rows) {
      const m = /^audit_events_(\d{4})(\d{2})$/.exec(p.name);
      if (!m) continue;
      const end = addMonths(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)), 1);
      if (end <= cutoff) {
        await this.pool.query(`DROP TABLE ${p.name}`);
        droppedPartitions.push(p.name);
      }
    }
    return { deleted, droppedPartitions, createdPartitions, trigramStats: await refreshTrigramStats(this.pool) };
  }
}

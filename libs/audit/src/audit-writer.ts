import { Pool } from 'pg';
import { AuditEventInput } from './audit-event';
import { AuditSql } from './audit-sql';
import { columnArrays } from './pg-array';

/** Rows per INSERT: large enough to amortise the round trip, small enough to keep memory and lock time bounded. */
export const AUDIT_BATCH_SIZE = 5_000;

export interface WriteResult {
  /** Rows inserted or changed; 0 on a re-run over the same data. */
  written: number;
  /** Rows offered (after de-duplication within the batch). */
  offered: number;
}

/** The statement's eleven array parameters, in its column order. */
const COLUMNS: readonly ((r: AuditEventInput) => string | null)[] = [
  (r) => r.tenantId,
  (r) => r.source,
  (r) => r.externalId,
  (r) => r.occurredAt.toISOString(),
  (r) => r.actor,
  (r) => r.action,
  (r) => r.itemType,
  (r) => r.itemName,
  (r) => r.result,
  (r) => String(r.version),
  (r) => JSON.stringify(r.details),
];

const keyOf = (r: AuditEventInput): string => `${r.source}\u0000${r.externalId}\u0000${r.occurredAt.getTime()}`;

/**
 * Batched, idempotent ingestion: one multi-row `INSERT ... SELECT FROM unnest(...) ON CONFLICT` per batch (one
 * parameter per column, so the statement is the same for any batch size). A conflicting row is rewritten only
 * when it actually changed (newer session eTag, new result or details), so a re-run writes nothing and concurrent
 * syncs of one tenant cannot create duplicates — the unique key decides, not the caller.
 */
export class AuditWriter {
  /**
   * Observable memory bound: `peakBuffered` is the most rows this writer ever held before sending them (at most
   * AUDIT_BATCH_SIZE, or what one caller passed to `write`); `batches` counts statements sent. The memory test and
   * benchmark (docs/audit.md "Memory") read them to prove a sync streams instead of collecting a tenant's rows.
   */
  readonly stats = { batches: 0, rows: 0, peakBuffered: 0 };

  private readonly sql: AuditSql;

  /** `preparedStatements`: send the insert as a named statement (DATABASE_PREPARED_STATEMENTS; audit-sql.ts). */
  constructor(pool: Pool, opts: { preparedStatements?: boolean } = {}) {
    this.sql = new AuditSql(pool, opts.preparedStatements ?? true);
  }

  async write(rows: readonly AuditEventInput[]): Promise<WriteResult> {
    let written = 0;
    let offered = 0;
    this.stats.peakBuffered = Math.max(this.stats.peakBuffered, rows.length);
    for (let i = 0; i < rows.length; i += AUDIT_BATCH_SIZE) {
      const r = await this.writeBatch(rows.slice(i, i + AUDIT_BATCH_SIZE));
      written += r.written;
      offered += r.offered;
    }
    return { written, offered };
  }

  /** Streams any number of rows with bounded memory: buffers one batch at a time. */
  async writeStream(rows: AsyncIterable<AuditEventInput> | Iterable<AuditEventInput>): Promise<WriteResult> {
    const total: WriteResult = { written: 0, offered: 0 };
    let buf: AuditEventInput[] = [];
    const flush = async (): Promise<void> => {
      const r = await this.writeBatch(buf);
      total.written += r.written;
      total.offered += r.offered;
      buf = [];
    };
    for await (const row of rows) {
      buf.push(row);
      if (buf.length > this.stats.peakBuffered) this.stats.peakBuffered = buf.length;
      if (buf.length >= AUDIT_BATCH_SIZE) await flush();
    }
    if (buf.length) await flush();
    return total;
  }

  private async writeBatch(batch: readonly AuditEventInput[]): Promise<WriteResult> {
    // ON CONFLICT DO UPDATE may not touch one row twice in a statement: keep the highest version of each key.
    const byKey = new Map<string, AuditEventInput>();
    for (const r of batch) {
      const k = keyOf(r);
      const prev = byKey.get(k);
      if (!prev || r.version >= prev.version) byKey.set(k, r);
    }
    // A stable order makes concurrent writers take row locks in the same order (no deadlocks).
    const rows = [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
    if (!rows.length) return { written: 0, offered: 0 };
    this.stats.batches++;
    this.stats.rows += rows.length;
    const res = await this.sql.query(
      `INSERT INTO audit_events (tenant_id, source, external_id, occurred_at, actor, action, item_type, item_name, result, version, details)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bigint[], $11::jsonb[])
       ON CONFLICT (source, external_id, occurred_at) DO UPDATE SET
         tenant_id = EXCLUDED.tenant_id, actor = EXCLUDED.actor, action = EXCLUDED.action, item_type = EXCLUDED.item_type,
         item_name = EXCLUDED.item_name, result = EXCLUDED.result, version = EXCLUDED.version, details = EXCLUDED.details,
         ingested_at = now()
       WHERE audit_events.version <= EXCLUDED.version
         AND (audit_events.version, audit_events.result, audit_events.details, audit_events.item_name, audit_events.tenant_id)
             IS DISTINCT FROM (EXCLUDED.version, EXCLUDED.result, EXCLUDED.details, EXCLUDED.item_name, EXCLUDED.tenant_id)`,
      columnArrays(rows, COLUMNS),
    );
    return { written: res.rowCount ?? 0, offered: rows.length };
  }
}

import { Injectable } from '@nestjs/common';
import { containsPattern, TenantScope } from '@app/db';
import { AuditDb } from './audit-db';
import { rareTrigrams } from './audit-trigrams';

export interface AuditQuery {
  tenantId?: string;
  from?: Date;
  to?: Date;
  source?: string;
  action?: string;
  actor?: string;
  result?: string;
  itemType?: string;
  /** Case-insensitive substring of the item name. */
  q?: string;
}

export interface AuditEventRow {
  id: string;
  tenantId: string;
  source: string;
  externalId: string;
  occurredAt: Date;
  actor: string | null;
  action: string;
  itemType: string | null;
  itemName: string | null;
  result: string | null;
  details: unknown;
}

export interface AuditPage {
  items: AuditEventRow[];
  nextCursor: string | null;
}

/** Opaque keyset cursor: (occurred_at, id) of the last row returned. */
export const encodeCursor = (r: { occurredAt: Date; id: string }): string => Buffer.from(`${r.occurredAt.toISOString()}|${r.id}`).toString('base64url');
export function decodeCursor(c: string): { at: Date; id: string } | undefined {
  const [at, id] = Buffer.from(c, 'base64url').toString().split('|');
  const d = at ? new Date(at) : undefined;
  return d && !Number.isNaN(d.getTime()) && id && /^\d+$/.test(id) ? { at: d, id } : undefined;
}

interface Row {
  id: string;
  tenant_id: string;
  source: string;
  external_id: string;
  occurred_at: Date;
  actor: string | null;
  action: string;
  item_type: string | null;
  item_name: string | null;
  result: string | null;
  details: unknown;
}

const toRow = (r: Row): AuditEventRow => ({
  id: r.id,
  tenantId: r.tenant_id,
  source: r.source,
  externalId: r.external_id,
  occurredAt: r.occurred_at,
  actor: r.actor,
  action: r.action,
  itemType: r.item_type,
  itemName: r.item_name,
  result: r.result,
  details: r.details,
});

/**
 * Audit queries: newest first, keyset pagination on (occurred_at, id) so a page boundary is stable while new events
 * arrive (new rows sort before the cursor, never into pages already read). Every query honours the caller's tenant
 * scope. Indexes and EXPLAIN output: docs/audit.md.
 */
@Injectable()
export class AuditQueryRepository {
  constructor(private readonly db: AuditDb) {}

  async page(scope: TenantScope, q: AuditQuery, limit: number, cursor?: { at: Date; id: string }): Promise<AuditPage> {
    const rare = q.q ? await rareTrigrams(this.db.pool, q.q) : [];
    const { sql, params } = this.build(scope, q, cursor, limit + 1, rare);
    const { rows } = await this.db.pool.query<Row>(sql, params);
    const items = rows.slice(0, limit).map(toRow);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
  }

  /** Full export, streamed in keyset chunks: memory stays bounded for any number of rows. */
  async *stream(scope: TenantScope, q: AuditQuery, chunk = 5000): AsyncGenerator<AuditEventRow> {
    let cursor: { at: Date; id: string } | undefined;
    const rare = q.q ? await rareTrigrams(this.db.pool, q.q) : [];
    for (;;) {
      const { sql, params } = this.build(scope, q, cursor, chunk, rare);
      const { rows } = await this.db.pool.query<Row>(sql, params);
      for (const r of rows) yield toRow(r);
      const last = rows[rows.length - 1];
      if (rows.length < chunk || !last) return;
      cursor = { at: last.occurred_at, id: last.id };
    }
  }

  private build(scope: TenantScope, q: AuditQuery, cursor: { at: Date; id: string } | undefined, limit: number, rare: readonly string[] = []): { sql: string; params: unknown[] } {
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown): string => {
      params.push(v);
      return `$${params.length}`;
    };
    if (q.from) where.push(`e.occurred_at >= ${p(q.from)}`);
    if (q.to) where.push(`e.occurred_at < ${p(q.to)}`);
    if (q.source) where.push(`e.source = ${p(q.source)}`);
    if (q.action) where.push(`e.action = ${p(q.action)}`);
    if (q.actor) where.push(`e.actor = ${p(q.actor)}`);
    if (q.result) where.push(`e.result = ${p(q.result)}`);
    if (q.itemType) where.push(`e.item_type = ${p(q.itemType)}`);
    if (q.q) {
      const pattern = containsPattern(q.q);
      if (rare.length) {
        // The trigram index is searched with the text's rarest trigrams only (each one posting list); the whole
        // text is then tested on those few rows. `|| ''` keeps that test out of the index condition, where its
        // common trigrams ("ite", " of") would read posting lists as long as the table (docs/audit.md).
        for (const t of rare) where.push(`e.item_name ILIKE ${p(`%${t}%`)}`);
        where.push(`(e.item_name || '') ILIKE ${p(pattern)}`);
      } else where.push(`e.item_name ILIKE ${p(pattern)}`);
    }
    if (cursor) where.push(`(e.occurred_at, e.id) < (${p(cursor.at)}::timestamptz, ${p(cursor.id)}::bigint)`);
    const filtered = where.length > (q.from ? 1 : 0) + (q.to ? 1 : 0) + (cursor ? 1 : 0);
    const lim = p(limit);
    let keys: string;
    if (q.tenantId || (!scope.tags.length && !filtered)) {
      // One tenant: an index-only scan of audit_events_tenant_page_idx, whose key carries the filter columns, so
      // rows that do not match are never fetched. No tenant and no filter: the primary key (occurred_at, id) backwards.
      const conds = [...(q.tenantId ? [`e.tenant_id = ${p(q.tenantId)}::uuid`] : []), ...(q.tenantId && scope.tags.length ? [`e.tenant_id IN (SELECT t.id FROM tenants t WHERE t.tags && ${p([...scope.tags])}::text[])`] : []), ...where];
      keys = `SELECT e.occurred_at, e.id FROM audit_events e ${conds.length ? `WHERE ${conds.join(' AND ')}` : ''} ORDER BY e.occurred_at DESC, e.id DESC LIMIT ${lim}`;
    } else {
      // Several tenants with filters (or a tag-restricted key): the newest matching keys of each visible tenant through
      // the same index, merged. A global time-ordered scan would fetch every non-matching row to test it.
      const tenantFilter = scope.tags.length ? `WHERE t.tags && ${p([...scope.tags])}::text[]` : '';
      keys = `SELECT k1.occurred_at, k1.id FROM tenants t CROSS JOIN LATERAL (
                SELECT e.occurred_at, e.id FROM audit_events e WHERE e.tenant_id = t.id${where.length ? ` AND ${where.join(' AND ')}` : ''}
                ORDER BY e.occurred_at DESC, e.id DESC LIMIT ${lim}) k1
              ${tenantFilter} ORDER BY k1.occurred_at DESC, k1.id DESC LIMIT ${lim}`;
    }
    // Then the page's rows by primary key.
    const sql = `SELECT e.id::text AS id, e.tenant_id, e.source, e.external_id, e.occurred_at, e.actor, e.action, e.item_type, e.item_name, e.result, e.details
      FROM (${keys}) k
      JOIN audit_events e ON e.occurred_at = k.occurred_at AND e.id = k.id
      ORDER BY e.occurred_at DESC, e.id DESC`;
    return { sql, params };
  }
}

import { Pool } from 'pg';

/** A durable incremental-sync position (table `sync_cursors`, docs/audit.md "Cursors"). */
export interface SyncCursor {
  watermark: Date | null;
  /** Ids (→ eTag or 0) of records whose time equals/overlaps the watermark, already ingested. */
  boundaryIds: Record<string, number>;
  changeToken: string | null;
  /** VB365 sessions still Working at the last sync, revisited until they stop: id → eTag. */
  openItems: Record<string, number>;
}

export const EMPTY_CURSOR: SyncCursor = { watermark: null, boundaryIds: {}, changeToken: null, openItems: {} };

interface Row {
  watermark: Date | null;
  boundary_ids: Record<string, number>;
  change_token: string | null;
  open_items: Record<string, number>;
}

export class SyncCursorStore {
  constructor(private readonly pool: Pool) {}

  async get(scope: string, source: string): Promise<SyncCursor> {
    const { rows } = await this.pool.query<Row>('SELECT watermark, boundary_ids, change_token, open_items FROM sync_cursors WHERE scope = $1 AND source = $2', [scope, source]);
    const r = rows[0];
    return r ? { watermark: r.watermark, boundaryIds: r.boundary_ids, changeToken: r.change_token, openItems: r.open_items } : { ...EMPTY_CURSOR };
  }

  async save(scope: string, source: string, c: SyncCursor): Promise<void> {
    await this.pool.query(
      `INSERT INTO sync_cursors (scope, source, watermark, boundary_ids, change_token, open_items, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, now())
       ON CONFLICT (scope, source) DO UPDATE SET watermark = EXCLUDED.watermark, boundary_ids = EXCLUDED.boundary_ids,
         change_token = EXCLUDED.change_token, open_items = EXCLUDED.open_items, updated_at = now()`,
      [scope, source, c.watermark, JSON.stringify(c.boundaryIds), c.changeToken, JSON.stringify(c.openItems)],
    );
  }

  /**
   * Serialises syncs of one cursor across processes: a transaction-scoped advisory lock would need one client for
   * the whole sync, so this takes a session lock on a dedicated client and releases it in `finally`.
   * Returns undefined when another process holds it (the caller skips: that sync covers the same data).
   */
  async withLock<T>(scope: string, source: string, fn: () => Promise<T>): Promise<T | undefined> {
    const client = await this.pool.connect();
    try {
      const { rows } = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock(hashtextextended($1, 7)) AS ok", [`${scope}|${source}`]);
      if (!rows[0]?.ok) return undefined;
      try {
        return await fn();
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 7))', [`${scope}|${source}`]);
      }
    } finally {
      client.release();
    }
  }
}

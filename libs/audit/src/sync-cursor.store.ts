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

/**
 * Lock holders keep one pooled connection for the whole sync while the sync itself needs others; without a bound,
 * as many concurrent syncs as the pool has connections would each hold one and wait forever for a second (found by
 * the onboarding benchmark at 50 concurrent runs). At most LOCK_SLOTS locks are held per process, so the rest of the
 * pool always serves the work; further callers wait for a slot, in order.
 */
const LOCK_SLOTS = 4;

export class SyncCursorStore {
  private held = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly pool: Pool) {}

  private async slot(): Promise<() => void> {
    // A released slot passes straight to the next waiter, so `held` never exceeds LOCK_SLOTS.
    if (this.held < LOCK_SLOTS) this.held++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    return () => {
      const next = this.waiting.shift();
      if (next) next();
      else this.held--;
    };
  }

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
    const release = await this.slot();
    let client;
    try {
      client = await this.pool.connect();
    } catch (e) {
      release();
      throw e;
    }
    // A connection lost while the lock is held (Postgres restarting) ends the session and with it the lock: the
    // unlock then fails with "not queryable". That must neither replace fn's own outcome nor return the broken
    // client to the pool, so the client is destroyed instead (found by npm run chaos: a sync that had finished
    // failed its run with INTERNAL). fn's own failures leave the client healthy and pooled.
    let broken: Error | undefined;
    const markBroken = (e: unknown): void => {
      broken = e instanceof Error ? e : new Error(String(e));
    };
    try {
      const locked = await client
        .query<{ ok: boolean }>("SELECT pg_try_advisory_lock(hashtextextended($1, 7)) AS ok", [`${scope}|${source}`])
        .catch((e: unknown) => {
          markBroken(e);
          throw e;
        });
      if (!locked.rows[0]?.ok) return undefined;
      try {
        return await fn();
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 7))', [`${scope}|${source}`]).catch(markBroken);
      }
    } finally {
      client.release(broken);
      release();
    }
  }
}

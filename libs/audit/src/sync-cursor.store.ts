import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { AuditSql } from './audit-sql';

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

/** A sync's lease on its cursor (withLock): the cursor as the lease found it, and its save. */
export interface HeldCursor {
  /** The cursor as it was when the lease was taken (read in the same statement). */
  readonly cursor: SyncCursor;
  /** Writes the cursor now, keeping the lease (progress that must survive a crash mid-sync). */
  save(c: SyncCursor): Promise<void>;
  /** The cursor to write with the lease's release (one statement for both). */
  stage(c: SyncCursor): void;
}

/** A lease not renewed for this long is free again: how long a cursor stays blocked after its holder died. */
export const CURSOR_LEASE_MS = 30_000;

const CURSOR_COLUMNS = 'watermark, boundary_ids, change_token, open_items';
/** Writes a cursor given as parameters $4–$7 (after scope, source, lease owner): see cursorValues. */
const SET_CURSOR = 'watermark = $4, boundary_ids = $5, change_token = $6, open_items = $7, updated_at = now()';
const cursorValues = (c: SyncCursor): unknown[] => [c.watermark, JSON.stringify(c.boundaryIds), c.changeToken, JSON.stringify(c.openItems)];

const toCursor = (r: Row | undefined): SyncCursor =>
  r ? { watermark: r.watermark, boundaryIds: r.boundary_ids, changeToken: r.change_token, openItems: r.open_items } : { ...EMPTY_CURSOR };

export class SyncCursorStore {
  private readonly sql: AuditSql;

  /** `preparedStatements`: send the cursor statements as named statements (DATABASE_PREPARED_STATEMENTS; audit-sql.ts). */
  constructor(
    pool: Pool,
    private readonly leaseMs = CURSOR_LEASE_MS,
    opts: { preparedStatements?: boolean } = {},
  ) {
    this.sql = new AuditSql(pool, opts.preparedStatements ?? true);
  }

  /** The cursor as stored (a sync reads it with its lease instead: withLock). */
  async get(scope: string, source: string): Promise<SyncCursor> {
    const { rows } = await this.sql.query<Row>(`SELECT ${CURSOR_COLUMNS} FROM sync_cursors WHERE scope = $1 AND source = $2`, [scope, source]);
    return toCursor(rows[0]);
  }

  /**
   * Serialises syncs of one cursor across processes with a lease on its row: taking it is one statement that also
   * reads the cursor (an upsert whose conflict branch only fires when the lease is free or expired, so it sees the
   * latest committed cursor, not a snapshot from before the lock), and releasing it is one statement that also writes
   * the staged cursor. No connection is held while the sync runs: the session advisory lock this replaces kept one
   * pooled connection per running sync, so at most 4 could run per process (more deadlocked the pool) and 50
   * concurrent onboardings queued for them (a first sync took ~100 ms longer than its two calls). The lease is
   * renewed every third of `leaseMs`; a holder that died frees it after `leaseMs`.
   * Returns undefined when another holder has it (the caller skips: that sync covers the same data).
   */
  async withLock<T>(scope: string, source: string, fn: (held: HeldCursor) => Promise<T>): Promise<T | undefined> {
    const owner = randomUUID();
    const { rows } = await this.sql.query<Row>(
      `INSERT INTO sync_cursors (scope, source, updated_at, lease_owner, lease_until)
       VALUES ($1, $2, now(), $3, now() + $4 * interval '1 millisecond')
       ON CONFLICT (scope, source) DO UPDATE SET lease_owner = EXCLUDED.lease_owner, lease_until = EXCLUDED.lease_until
         WHERE sync_cursors.lease_until IS NULL OR sync_cursors.lease_until < now()
       RETURNING ${CURSOR_COLUMNS}`,
      [scope, source, owner, this.leaseMs],
    );
    if (!rows.length) return undefined;
    let staged: SyncCursor | undefined;
    const renew = setInterval(() => {
      this.sql
        .query(`UPDATE sync_cursors SET lease_until = now() + $4 * interval '1 millisecond' WHERE scope = $1 AND source = $2 AND lease_owner = $3`, [scope, source, owner, this.leaseMs])
        .catch(() => undefined); // Postgres away: the next renewal tries again; an expired lease is only a lost turn
    }, Math.max(100, Math.floor(this.leaseMs / 3)));
    renew.unref();
    const held: HeldCursor = {
      cursor: toCursor(rows[0]),
      save: async (c) => {
        staged = undefined;
        await this.sql.query(`UPDATE sync_cursors SET ${SET_CURSOR} WHERE scope = $1 AND source = $2 AND lease_owner = $3`, [scope, source, owner, ...cursorValues(c)]);
      },
      stage: (c) => {
        staged = c;
      },
    };
    let failed = false;
    try {
      return await fn(held);
    } catch (e) {
      failed = true;
      throw e;
    } finally {
      clearInterval(renew);
      // Released whatever fn did; a staged cursor is written with the release (also when fn failed after staging it,
      // as an immediate save would have been). A lease lost meanwhile (expired while Postgres was away, then taken)
      // matches no row: the new holder started from the cursor before this sync and its own save wins.
      const c = staged;
      const release = this.sql.query(
        `UPDATE sync_cursors SET ${c ? `${SET_CURSOR}, ` : ''}lease_owner = NULL, lease_until = NULL WHERE scope = $1 AND source = $2 AND lease_owner = $3`,
        [scope, source, owner, ...(c ? cursorValues(c) : [])],
      );
      // A release that fails (Postgres restarting) never replaces fn's own error, and fails the sync only when it
      // carried the cursor (its progress was not saved; the sync's writes are idempotent, so a retry is safe). An
      // unreleased lease expires after leaseMs.
      await release.catch((e: unknown) => {
        if (c && !failed) throw e;
      });
    }
  }
}

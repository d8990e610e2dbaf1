import { Pool } from 'pg';
import { RESTRestoreSession, Vb365Client, Vb365Error } from '@app/vb365';
import { AuditEventInput } from './audit-event';
import { sessionEventToAuditEvent, sessionToAuditEvent } from './audit-mappers';
import { AuditWriter } from './audit-writer';
import { HeldCursor, SyncCursor, SyncCursorStore } from './sync-cursor.store';

/** Sessions created up to this long before the watermark are listed again: late-arriving sessions (vb365.md). */
export const VB365_OVERLAP_MS = 15 * 60_000;
export const VB365_SOURCE = 'vb365';

export interface Vb365SyncStats {
  sessionsSeen: number;
  sessionsIngested: number;
  eventsWritten: number;
  skippedUnknownOrganization: number;
  changeFeed: 'none' | 'changes' | 'expired';
}

/** A tenant's VB365 organization as the caller already knows it (id and the name restore sessions carry). */
export interface KnownOrganization {
  id: string;
  name: string | null;
}

/** Which of our tenants a VB365 organization (by id, or by the name sessions carry) belongs to. */
export class OrganizationTenantMap {
  private constructor(
    private readonly byOrgId: Map<string, string>,
    private readonly byOrgName: Map<string, string>,
  ) {}

  /** One tenant whose organization the caller just read (onboarding's verify-vb365 step): no query, no request. */
  static of(tenantId: string, org: KnownOrganization): OrganizationTenantMap {
    return new OrganizationTenantMap(new Map([[org.id.toLowerCase(), tenantId]]), new Map(org.name ? [[org.name.toLowerCase(), tenantId]] : []));
  }

  static async load(pool: Pool, vb365: Vb365Client, onlyTenantId?: string): Promise<OrganizationTenantMap> {
    const { rows } = await pool.query<{ id: string; org: string }>(
      `SELECT id, vb365_organization_id AS org FROM tenants WHERE vb365_organization_id IS NOT NULL AND ($1::uuid IS NULL OR id = $1::uuid)`,
      [onlyTenantId ?? null],
    );
    const byOrgId = new Map(rows.map((r) => [r.org.toLowerCase(), r.id]));
    const byOrgName = new Map<string, string>();
    if (onlyTenantId) {
      // One tenant (its first sync): read its organization by id rather than list every organization on the
      // server — the listing made a bulk onboarding quadratic in the number of organizations.
      for (const [orgId, tenantId] of byOrgId) {
        const org = await vb365.organizations.get(orgId).catch((err: unknown) => {
          if (err instanceof Vb365Error && err.code === 'NOT_FOUND') return undefined;
          throw err;
        });
        if (org?.name) byOrgName.set(org.name.toLowerCase(), tenantId);
      }
    } else if (byOrgId.size) {
      // Sessions name their organization by name only (vb365.md): one organizations listing per sync maps names.
      for await (const org of vb365.organizations.list()) {
        const tenantId = byOrgId.get(org.id.toLowerCase());
        if (tenantId && org.name) byOrgName.set(org.name.toLowerCase(), tenantId);
      }
    }
    return new OrganizationTenantMap(byOrgId, byOrgName);
  }

  get empty(): boolean {
    return this.byOrgId.size === 0;
  }

  forSession(s: RESTRestoreSession): string | undefined {
    return s.organization ? this.byOrgName.get(s.organization.toLowerCase()) : undefined;
  }

  forOrganizationId(id: string | null): string | undefined {
    return id ? this.byOrgId.get(id.toLowerCase()) : undefined;
  }
}

/**
 * Restore sessions and their events, listed once per VB365 server and fanned out to tenants (issue 7). Per server:
 * a creation-time watermark with an overlap window, the session ids and eTags seen inside the overlap (so equal
 * timestamps across pages are not re-read and updated sessions are), Working sessions revisited until they stop,
 * and the change-feed token for low-latency triggers.
 */
export class Vb365AuditSync {
  constructor(
    private readonly vb365: Vb365Client,
    private readonly writer: AuditWriter,
    private readonly cursors: SyncCursorStore,
    private readonly pool: Pool,
    private readonly overlapMs = VB365_OVERLAP_MS,
  ) {}

  /** Server-wide incremental sync. `scope` names the server ("server:<host>"). */
  async syncServer(scope: string, initialSince: Date): Promise<Vb365SyncStats | undefined> {
    return this.cursors.withLock(scope, VB365_SOURCE, (held) => this.syncServerLocked(held, initialSince));
  }

  /**
   * The server sync for a caller that already holds the cursor's lock: the change-feed poller lists here when its
   * token expired (docs/change-feed.md), instead of enqueueing a sync that would find the lock taken and skip.
   */
  async syncServerLocked(held: HeldCursor, initialSince: Date): Promise<Vb365SyncStats> {
    const cursor = held.cursor;
    const map = await OrganizationTenantMap.load(this.pool, this.vb365);
    const stats: Vb365SyncStats = { sessionsSeen: 0, sessionsIngested: 0, eventsWritten: 0, skippedUnknownOrganization: 0, changeFeed: 'none' };
    await this.followChangeFeed(cursor, map, stats);
    await this.revisitOpen(cursor, map, stats);
    const since = cursor.watermark ? new Date(cursor.watermark.getTime() - this.overlapMs) : initialSince;
    await this.listFrom(since, cursor, map, stats, true);
    held.stage(cursor);
    return stats;
  }

  /**
   * One tenant's history (first sync at onboarding): the server cursor's watermark may be past this tenant's old
   * sessions, so the tenant's own window is listed once; writes are idempotent, so overlap with the server sync is
   * harmless. Open sessions found here join the server cursor's revisit list.
   */
  async backfillTenant(tenantId: string, serverScope: string, since: Date, known?: KnownOrganization): Promise<Vb365SyncStats> {
    // Onboarding passes the organization its verify-vb365 step just read: one query and one VB365 request fewer.
    const map = known ? OrganizationTenantMap.of(tenantId, known) : await OrganizationTenantMap.load(this.pool, this.vb365, tenantId);
    const stats: Vb365SyncStats = { sessionsSeen: 0, sessionsIngested: 0, eventsWritten: 0, skippedUnknownOrganization: 0, changeFeed: 'none' };
    if (map.empty) return stats;
    const local: SyncCursor = { watermark: null, boundaryIds: {}, changeToken: null, openItems: {} };
    await this.listFrom(since, local, map, stats, false);
    if (Object.keys(local.openItems).length) {
      await this.cursors.withLock(serverScope, VB365_SOURCE, async (held) => {
        held.stage({ ...held.cursor, openItems: { ...held.cursor.openItems, ...local.openItems } });
      });
    }
    return stats;
  }

  /**
   * Sessions the change feed reported for one tenant (docs/change-feed.md): re-read by id (feed events are triggers
   * only) and ingested idempotently; one deleted meanwhile is skipped. No revisit list is kept here: every later
   * change of a Working session appears on the feed again (and the server sync revisits what it saw Working).
   */
  async ingestSessions(tenantId: string, ids: readonly string[]): Promise<Vb365SyncStats> {
    const map = await OrganizationTenantMap.load(this.pool, this.vb365, tenantId);
    const stats: Vb365SyncStats = { sessionsSeen: 0, sessionsIngested: 0, eventsWritten: 0, skippedUnknownOrganization: 0, changeFeed: 'changes' };
    if (map.empty) return stats;
    const local: SyncCursor = { watermark: null, boundaryIds: {}, changeToken: null, openItems: {} };
    for (const id of ids) {
      const session = await this.getOrUndefined(id);
      if (!session) continue;
      stats.sessionsSeen++;
      await this.ingestSession(session, local, map, stats);
    }
    return stats;
  }

  private async followChangeFeed(cursor: SyncCursor, map: OrganizationTenantMap, stats: Vb365SyncStats): Promise<void> {
    const rs = this.vb365.restoreSessions;
    if (!cursor.changeToken) {
      cursor.changeToken = (await rs.changes('latest', 1)).nextChangeToken;
      return;
    }
    try {
      // Drain what is there now (no long poll): events are triggers only, so updated sessions are re-read by id.
      for (let i = 0; i < 100; i++) {
        const page = await rs.changes(cursor.changeToken, 1000, 0);
        const ids = new Set(page.results.filter((e) => e.eventType === 'RestoreSessionUpdate' && e.id).map((e) => e.id as string));
        for (const id of ids) {
          const s = await this.getOrUndefined(id);
          if (s) await this.ingestSession(s, cursor, map, stats);
        }
        stats.changeFeed = 'changes';
        const done = page.nextChangeToken === cursor.changeToken || page.results.length === 0;
        cursor.changeToken = page.nextChangeToken;
        if (done) break;
      }
    } catch (err) {
      if (!(err instanceof Vb365Error && err.vendorCode === 'OutdatedChangeToken')) throw err;
      // Missed events are not replayed: take a fresh token first, then the time-window listing below (which always
      // runs) covers the gap; the overlap window and idempotent writes make the re-read harmless.
      stats.changeFeed = 'expired';
      cursor.changeToken = (await rs.changes('latest', 1)).nextChangeToken;
    }
  }

  private async revisitOpen(cursor: SyncCursor, map: OrganizationTenantMap, stats: Vb365SyncStats): Promise<void> {
    for (const [id, etag] of Object.entries(cursor.openItems)) {
      const s = await this.getOrUndefined(id);
      if (!s) {
        delete cursor.openItems[id];
        continue;
      }
      if ((s.eTag ?? 0) !== etag || s.state !== 'Working') await this.ingestSession(s, cursor, map, stats);
    }
  }

  private async listFrom(since: Date, cursor: SyncCursor, map: OrganizationTenantMap, stats: Vb365SyncStats, advance: boolean): Promise<void> {
    let maxTime = cursor.watermark?.getTime() ?? 0;
    // Ids inside the overlap window behind the newest session seen; pruned as the (ascending) listing moves on,
    // so memory stays bounded however long the history is.
    let boundary = new Map<string, { t: number; etag: number }>();
    for await (const s of this.vb365.restoreSessions.list({ startTimeFrom: since, orderBy: 'CreationTime', orderAsc: true })) {
      stats.sessionsSeen++;
      const t = s.creationTime ? new Date(s.creationTime).getTime() : 0;
      const known = cursor.boundaryIds[s.id];
      // Seen inside the overlap with the same eTag: already ingested and unchanged.
      if (known === undefined || known !== (s.eTag ?? 0)) await this.ingestSession(s, cursor, map, stats);
      boundary.set(s.id, { t, etag: s.eTag ?? 0 });
      if (t > maxTime) maxTime = t;
      if (boundary.size > 10_000) boundary = new Map([...boundary].filter(([, v]) => v.t >= maxTime - this.overlapMs));
    }
    if (!advance) return;
    cursor.watermark = maxTime ? new Date(maxTime) : cursor.watermark;
    const ids: Record<string, number> = {};
    for (const [id, v] of boundary) if (v.t >= maxTime - this.overlapMs) ids[id] = v.etag;
    cursor.boundaryIds = ids;
  }

  private async ingestSession(s: RESTRestoreSession, cursor: SyncCursor, map: OrganizationTenantMap, stats: Vb365SyncStats): Promise<void> {
    const tenantId = map.forSession(s);
    if (!tenantId) {
      stats.skippedUnknownOrganization++;
      return;
    }
    stats.sessionsIngested++;
    const rows = this.eventRows(s, tenantId, map);
    const r = await this.writer.writeStream(rows);
    stats.eventsWritten += r.written;
    // The session row last: if the sync dies mid-events, the session's eTag is not recorded and it is re-read.
    await this.writer.write([sessionToAuditEvent(tenantId, s)]);
    if (s.state === 'Working') cursor.openItems[s.id] = s.eTag ?? 0;
    else delete cursor.openItems[s.id];
  }

  private async *eventRows(s: RESTRestoreSession, tenantId: string, map: OrganizationTenantMap): AsyncGenerator<AuditEventInput> {
    for await (const e of this.vb365.restoreSessions.events(s.id)) {
      // Events carry organizationId (v8): it wins over the session's organization name when both are known.
      const row = sessionEventToAuditEvent(map.forOrganizationId(e.organizationId) ?? tenantId, s, e);
      if (row) yield row;
    }
  }

  private async getOrUndefined(id: string): Promise<RESTRestoreSession | undefined> {
    try {
      return await this.vb365.restoreSessions.get(id);
    } catch (err) {
      if (err instanceof Vb365Error && err.code === 'NOT_FOUND') return undefined;
      throw err;
    }
  }
}

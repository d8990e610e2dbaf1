import { EntraClient } from '@app/entra';
import { AuditEventInput } from './audit-event';
import { REVOKING_ACTIVITIES, concernsApps, directoryAuditToAuditEvent } from './audit-mappers';
import { AuditWriter } from './audit-writer';
import { SyncCursorStore } from './sync-cursor.store';

/** Directory audits appear in Graph with a delay of minutes: re-read this far behind the watermark. */
export const ENTRA_OVERLAP_MS = 30 * 60_000;
export const ENTRA_SOURCE = 'entra';

export interface EntraSyncStats {
  read: number;
  written: number;
  /** Audits that took consent away from one of our apps (the caller checks Graph state at once). */
  revocations: Array<{ id: string; activity: string; at: string; target: string | null }>;
}

/**
 * Per-tenant directory-audit sync: `activityDateTime ge watermark - overlap`, only records concerning the Restore
 * Portal or orchestrator app (ids and names in `concerning`), boundary ids kept so the overlap is not rewritten.
 * Graph pages newest first, so the watermark only moves when the whole window was read.
 */
export class EntraAuditSync {
  constructor(
    private readonly entra: EntraClient,
    private readonly writer: AuditWriter,
    private readonly cursors: SyncCursorStore,
    private readonly overlapMs = ENTRA_OVERLAP_MS,
  ) {}

  async syncTenant(tenantId: string, entraTenantId: string, concerning: ReadonlySet<string>, initialSince: Date): Promise<EntraSyncStats | undefined> {
    const scope = `tenant:${tenantId}`;
    return this.cursors.withLock(scope, ENTRA_SOURCE, async (held) => {
      const cursor = held.cursor;
      const since = cursor.watermark ? new Date(cursor.watermark.getTime() - this.overlapMs) : initialSince;
      const stats: EntraSyncStats = { read: 0, written: 0, revocations: [] };
      let maxTime = cursor.watermark?.getTime() ?? 0;
      const boundary: Record<string, number> = {};
      for await (const page of this.entra.listDirectoryAudits(entraTenantId, { since })) {
        const rows: AuditEventInput[] = [];
        for (const a of page) {
          stats.read++;
          const t = new Date(a.activityDateTime).getTime();
          if (t > maxTime) maxTime = t;
          if (!concernsApps(a, concerning)) continue;
          boundary[a.id] = t;
          if (REVOKING_ACTIVITIES.has(a.activityDisplayName) && cursor.boundaryIds[a.id] === undefined) {
            stats.revocations.push({ id: a.id, activity: a.activityDisplayName, at: a.activityDateTime, target: a.targetResources[0]?.id ?? null });
          }
          if (cursor.boundaryIds[a.id] === undefined) rows.push(directoryAuditToAuditEvent(tenantId, a));
        }
        stats.written += (await this.writer.write(rows)).written;
      }
      cursor.watermark = maxTime ? new Date(maxTime) : cursor.watermark;
      const keepFrom = maxTime - this.overlapMs;
      cursor.boundaryIds = Object.fromEntries(Object.entries(boundary).filter(([, t]) => t >= keepFrom));
      // Written with the lease's release: one statement.
      held.stage(cursor);
      return stats;
    });
  }
}

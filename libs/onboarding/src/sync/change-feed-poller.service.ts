import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, APP_CONFIG } from '@app/config';
import { AuditDb, OrganizationTenantMap, VB365_SOURCE, Vb365AuditSync, Vb365SyncStats } from '@app/audit';
import { PrismaService } from '@app/db';
import { JobProducer } from '@app/jobs';
import { RESTEvent, Vb365Error } from '@app/vb365';
import { OutsideClients } from '../clients/clients.module';
import { vb365ServerScope } from './tenant-sync.service';

/** Sessions per fan-out job: keeps payloads small (ids only) and one job's work bounded. */
export const VB365_FEED_SESSIONS_PER_JOB = 200;
/** Feed pages read per poll; a backlog beyond this is read by the next tick (the token is saved per page). */
const PAGES_PER_POLL = 20;
const PAGE_SIZE = 1000;
/** How far back a listing reaches when the server was never synced (as the server sync's first run). */
const FIRST_LISTING_DAYS = 30;

export interface FeedPollReport {
  skipped?: string;
  /** No token yet: the latest one was taken (nothing before it is the feed's to report). */
  started?: boolean;
  /** The token had expired: a fresh one was taken and the server listed (the sync's stats). */
  expired?: Vb365SyncStats;
  events: number;
  sessions: number;
  tenants: number;
  jobs: number;
  /** Changed sessions of organizations that are none of our tenants'. */
  foreign: number;
}

const digest = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 16);

/**
 * Low-latency audit syncs from the VB365 change feed (`GET /v8/Events`, docs/change-feed.md). One BullMQ job
 * scheduler per VB365 server polls the feed from the server cursor's change token — the same token the
 * minute-level server sync drains, under the same advisory lock, so the two never read one change twice — maps
 * changed sessions to tenants by the events' organizationId, and enqueues one `audit.sync-vb365-sessions` job per
 * tenant whose id derives from the tenant and the feed position read: a poll retried after a crash (before its token
 * was saved) re-enqueues the same ids, which BullMQ ignores.
 */
@Injectable()
export class ChangeFeedPoller {
  constructor(
    private readonly prisma: PrismaService,
    private readonly clients: OutsideClients,
    private readonly audit: AuditDb,
    private readonly producer: JobProducer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  schedulerId(): string {
    return `vb365-change-feed:${vb365ServerScope(this.config.vb365.baseUrl)}`;
  }

  /**
   * Idempotent across replicas (STYLE.md 11): one deterministic scheduler id per server, so every worker upserts the
   * same one and each tick is one job taken by one worker. Removed when the feed is disabled.
   */
  async register(): Promise<boolean> {
    const queue = this.producer.queue('audit');
    const seconds = this.config.vb365.changeFeedPollSeconds;
    if (!this.config.vb365.baseUrl || !seconds) {
      await queue.removeJobScheduler(this.schedulerId());
      return false;
    }
    await queue.upsertJobScheduler(
      this.schedulerId(),
      { every: seconds * 1000 },
      {
        name: 'audit.poll-vb365-feed',
        data: { correlationId: `schedule:${this.schedulerId()}` },
        // A tick every few seconds: keep a short history only (a failed tick is simply followed by the next one).
        opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 500 } },
      },
    );
    return true;
  }

  async poll(correlationId: string): Promise<FeedPollReport> {
    const scope = vb365ServerScope(this.config.vb365.baseUrl);
    const report: FeedPollReport = { events: 0, sessions: 0, tenants: 0, jobs: 0, foreign: 0 };
    // Try-lock: while the server sync (or another tick) holds the cursor it is reading the feed itself.
    const done = await this.audit.cursors.withLock(scope, VB365_SOURCE, async (held) => {
      const cursor = held.cursor;
      const save = (): Promise<void> => held.save(cursor);
      const rs = this.clients.vb365Client().restoreSessions;
      if (!cursor.changeToken) {
        cursor.changeToken = (await rs.changes('latest', 1)).nextChangeToken;
        await save();
        report.started = true;
        return true;
      }
      for (let i = 0; i < PAGES_PER_POLL; i++) {
        const from: string = cursor.changeToken;
        let page;
        try {
          page = await rs.changes(from, PAGE_SIZE, 0);
        } catch (err) {
          if (!(err instanceof Vb365Error && err.vendorCode === 'OutdatedChangeToken')) throw err;
          // Missed changes are not replayed (vb365.md): the server sync, run here under the lock this poll holds
          // (an enqueued one would find the lock taken and skip), meets the same expired token, takes a fresh one
          // first — nothing after it is lost — and lists from the cursor's watermark with its overlap and revisit
          // list. It saves the new token only with the listing done: if the listing fails, the next tick finds the
          // expired token again and lists again, instead of carrying on from a fresh token over a gap.
          report.expired = await this.sync().syncServerLocked(held, new Date(Date.now() - FIRST_LISTING_DAYS * 86_400_000));
          return true;
        }
        // The page is named by where it starts and ends: re-read after a crash it yields the same job ids (ignored by
        // BullMQ); if more events arrived meanwhile it ends elsewhere, and its sessions are not dropped as duplicates.
        await this.fanOut(page.results, `${from}>${page.nextChangeToken}`, correlationId, report);
        cursor.changeToken = page.nextChangeToken;
        // Saved after the fan-out: a crash in between re-reads this page and re-enqueues the same job ids.
        await save();
        if (page.results.length < PAGE_SIZE || page.nextChangeToken === from) break;
      }
      return true;
    });
    return done === undefined ? { ...report, skipped: 'the server cursor is held by a sync or another poll' } : report;
  }

  /** One tenant's share of a feed read: its changed sessions, re-read and ingested. */
  ingest(tenantId: string, sessionIds: readonly string[]): Promise<Vb365SyncStats> {
    return this.sync().ingestSessions(tenantId, sessionIds);
  }

  private sync(): Vb365AuditSync {
    return new Vb365AuditSync(this.clients.vb365Client(), this.audit.writer, this.audit.cursors, this.audit.pool);
  }

  private async fanOut(events: readonly RESTEvent[], pageKey: string, correlationId: string, report: FeedPollReport): Promise<void> {
    report.events += events.length;
    // Deleted sessions are not un-audited: what happened stays in the audit trail, so only updates matter.
    const updated = events.filter((e) => e.eventType === 'RestoreSessionUpdate' && e.id);
    const byOrg = new Map<string, Set<string>>();
    const withoutOrg = new Set<string>();
    for (const e of updated) {
      if (e.organizationId) {
        const org = e.organizationId.toLowerCase();
        if (!byOrg.has(org)) byOrg.set(org, new Set());
        byOrg.get(org)!.add(e.id!);
      } else withoutOrg.add(e.id!);
    }
    const byTenant = await this.tenantsOf(byOrg);
    if (withoutOrg.size) await this.mapByName(withoutOrg, byTenant);
    const sessionCount = new Set(updated.map((e) => e.id)).size;
    const mapped = [...byTenant.values()].reduce((n, ids) => n + ids.size, 0);
    report.sessions += sessionCount;
    report.foreign += sessionCount - mapped;
    const jobs: { data: { tenantId: string; sessionIds: string[]; correlationId: string }; opts: { jobId: string } }[] = [];
    for (const [tenantId, ids] of byTenant) {
      const all = [...ids];
      for (let c = 0; c * VB365_FEED_SESSIONS_PER_JOB < all.length; c++) {
        jobs.push({
          data: { tenantId, sessionIds: all.slice(c * VB365_FEED_SESSIONS_PER_JOB, (c + 1) * VB365_FEED_SESSIONS_PER_JOB), correlationId },
          opts: { jobId: `vb365-feed-${tenantId}-${digest(pageKey)}-${c}` },
        });
      }
    }
    await this.producer.enqueueBulk('audit', 'audit.sync-vb365-sessions', jobs);
    report.tenants += byTenant.size;
    report.jobs += jobs.length;
  }

  /** organizationId → our tenant (any tenant with that organization: the server sync ingests the same set). */
  private async tenantsOf(byOrg: Map<string, Set<string>>): Promise<Map<string, Set<string>>> {
    const byTenant = new Map<string, Set<string>>();
    if (!byOrg.size) return byTenant;
    const rows = await this.prisma.$queryRaw<{ id: string; org: string }[]>`
      SELECT id::text AS id, lower(vb365_organization_id) AS org FROM tenants WHERE lower(vb365_organization_id) = ANY(${[...byOrg.keys()]}::text[])`;
    for (const r of rows) {
      const ids = byOrg.get(r.org);
      if (ids) byTenant.set(r.id, new Set([...(byTenant.get(r.id) ?? []), ...ids]));
    }
    return byTenant;
  }

  /**
   * The contract makes organizationId optional on feed events: such sessions are re-read and mapped by their
   * organization name, as the listing does (one organizations listing, only when this happens).
   */
  private async mapByName(ids: Set<string>, byTenant: Map<string, Set<string>>): Promise<void> {
    const vb365 = this.clients.vb365Client();
    const map = await OrganizationTenantMap.load(this.audit.pool, vb365);
    for (const id of ids) {
      const session = await vb365.restoreSessions.get(id).catch((err: unknown) => {
        if (err instanceof Vb365Error && err.code === 'NOT_FOUND') return undefined;
        throw err;
      });
      const tenantId = session && map.forSession(session);
      if (!tenantId) continue;
      if (!byTenant.has(tenantId)) byTenant.set(tenantId, new Set());
      byTenant.get(tenantId)!.add(id);
    }
  }
}

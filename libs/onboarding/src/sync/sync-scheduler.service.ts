import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, APP_CONFIG } from '@app/config';
import { PrismaService } from '@app/db';
import { JobProducer } from '@app/jobs';

export const tenantSchedulerId = (tenantId: string): string => `tenant-sync:${tenantId}`;

/**
 * Per-tenant BullMQ job schedulers (issue 7). Schedulers live in Redis, so they survive worker restarts;
 * `upsertJobScheduler` with a deterministic id keeps exactly one per tenant whichever replica registers it, and
 * the jitter is derived from the tenant id so every replica computes the same schedule (no flapping updates).
 */
@Injectable()
export class SyncScheduler {
  constructor(
    private readonly producer: JobProducer,
    private readonly prisma: PrismaService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  intervalMs(tenant: { syncIntervalMinutes: number | null }): number {
    return (tenant.syncIntervalMinutes ?? this.config.schedule.intervalMinutes) * 60_000;
  }

  /** Spreads tenants over the interval: a stable offset in [0, interval) from the tenant id. */
  offsetMs(tenantId: string, intervalMs: number): number {
    return createHash('sha256').update(tenantId).digest().readUInt32BE(0) % intervalMs;
  }

  async register(tenant: { id: string; syncIntervalMinutes: number | null }): Promise<void> {
    const every = this.intervalMs(tenant);
    await this.producer.queue('audit').upsertJobScheduler(
      tenantSchedulerId(tenant.id),
      { every, offset: this.offsetMs(tenant.id, every) },
      { name: 'audit.sync-tenant', data: { tenantId: tenant.id, correlationId: `schedule:${tenantSchedulerId(tenant.id)}` } },
    );
  }

  /** Whether a tenant in this state is synced on a schedule at all. */
  static eligible(tenant: { status: string; excluded: boolean }): boolean {
    return !tenant.excluded && (tenant.status === 'active' || tenant.status === 'consent_revoked');
  }

  /**
   * After a settings change (interval, exclusion): an eligible tenant's scheduler is upserted with the new interval
   * at once, anybody else's is removed. Idempotent, so an api call and a worker's reconciliation may both run it.
   */
  async apply(tenant: { id: string; status: string; excluded: boolean; syncIntervalMinutes: number | null }): Promise<'registered' | 'removed' | 'none'> {
    if (SyncScheduler.eligible(tenant)) {
      await this.register(tenant);
      return 'registered';
    }
    return (await this.remove(tenant.id)) ? 'removed' : 'none';
  }

  async remove(tenantId: string): Promise<boolean> {
    return this.producer.queue('audit').removeJobScheduler(tenantSchedulerId(tenantId));
  }

  /**
   * Makes Redis match Postgres: every active, non-excluded tenant has a scheduler; every other scheduler (tenant
   * excluded, offboarded, deleted) is removed. Run at worker start and daily; idempotent across replicas.
   */
  async reconcileAll(): Promise<{ registered: number; removed: number }> {
    const wanted = new Map<string, { id: string; syncIntervalMinutes: number | null }>();
    let cursor: string | undefined;
    for (;;) {
      const page = await this.prisma.tenant.findMany({
        where: { status: { in: ['active', 'consent_revoked'] }, excluded: false },
        select: { id: true, syncIntervalMinutes: true },
        orderBy: { id: 'asc' },
        take: 1000,
        ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
      });
      for (const t of page) wanted.set(t.id, t);
      if (page.length < 1000) break;
      cursor = page[page.length - 1]?.id;
    }
    const queue = this.producer.queue('audit');
    const existing = new Map<string, number | undefined>();
    for (let start = 0; ; start += 1000) {
      const page = await queue.getJobSchedulers(start, start + 999);
      for (const s of page) if (s.key.startsWith('tenant-sync:')) existing.set(s.key.slice('tenant-sync:'.length), s.every ?? undefined);
      if (page.length < 1000) break;
    }
    let registered = 0;
    let removed = 0;
    for (const [id, t] of wanted) {
      if (existing.get(id) === this.intervalMs(t)) continue;
      await this.register(t);
      registered++;
    }
    for (const id of existing.keys()) {
      if (wanted.has(id)) continue;
      await this.remove(id);
      removed++;
    }
    return { registered, removed };
  }

  async list(): Promise<Array<{ tenantId: string; every: number | undefined; next: number | undefined }>> {
    const all = await this.producer.queue('audit').getJobSchedulers(0, -1);
    return all
      .filter((s) => s.key.startsWith('tenant-sync:'))
      .map((s) => ({ tenantId: s.key.slice('tenant-sync:'.length), every: s.every ?? undefined, next: s.next ?? undefined }));
  }
}

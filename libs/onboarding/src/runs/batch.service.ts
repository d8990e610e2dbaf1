import { Injectable, Logger } from '@nestjs/common';
import { Batch, Prisma, PrismaService, RunKind, TenantScope, tenantWhere } from '@app/db';
import { JobProducer } from '@app/jobs';
import { runJobId, RunLauncher } from './run-launcher.service';

export interface BulkRunInput {
  kind: RunKind;
  dryRun?: boolean;
  tenantIds?: string[];
  tag?: string;
  options?: { keepServicePrincipal?: boolean; adoptRoles?: boolean };
}

interface Selection {
  tenantIds?: string[];
  tag?: string;
  /** The requesting key's tag restriction, applied again at fan-out. */
  scopeTags: string[];
  options: Record<string, unknown>;
}

const PAGE = 500;
/** Runs created and enqueued together within a page (the first runs start while later ones are created). */
const ENQUEUE_CHUNK = 100;
/** Bulk runs yield to single runs (see EnqueueOptions.priority). */
const BULK_PRIORITY = 10;

/**
 * Bulk runs: the api records the batch and enqueues one fan-out job; the worker creates the runs in pages and
 * enqueues them in bulk. Fan-out is idempotent (a retried fan-out skips tenants that already have a run in the
 * batch), skips excluded and parked tenants with the reason, and never loads 10,000 tenants at once.
 */
@Injectable()
export class BatchService {
  private readonly logger = new Logger(BatchService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly producer: JobProducer,
    private readonly launcher: RunLauncher,
  ) {}

  async create(scope: TenantScope, input: BulkRunInput, requestedBy: string, correlationId: string): Promise<Batch> {
    const selection: Selection = { tenantIds: input.tenantIds, tag: input.tag, scopeTags: [...scope.tags], options: input.options ?? {} };
    const total = await this.prisma.tenant.count({ where: this.where(selection) });
    const batch = await this.prisma.$transaction(async (tx) => {
      const created = await tx.batch.create({
        data: { kind: input.kind, dryRun: input.dryRun ?? false, requestedBy, selection: selection as unknown as Prisma.InputJsonValue, total },
      });
      // The request itself is recorded here, where the caller's key id and client IP are known (the api's request
      // context); the per-tenant `run.requested` rows are written later by the worker's fan-out (same batchId).
      await tx.activityLog.create({
        data: { actor: requestedBy, action: 'batch.requested', correlationId, details: { batchId: created.id, kind: created.kind, dryRun: created.dryRun, total, tag: input.tag ?? null, tenantIdsGiven: input.tenantIds?.length ?? null } },
      });
      return created;
    });
    await this.producer.enqueue('batches', 'batch.fan-out', { batchId: batch.id, correlationId }, { jobId: `batch-${batch.id}` });
    return batch;
  }

  async fanOut(batchId: string, correlationId: string): Promise<{ created: number; skipped: number }> {
    const batch = await this.prisma.batch.findUniqueOrThrow({ where: { id: batchId } });
    const selection = batch.selection as unknown as Selection;
    const skipped: { tenantId: string; reason: string }[] = [];
    let created = 0;
    let after: string | undefined;
    for (;;) {
      const tenants = await this.prisma.tenant.findMany({
        where: { AND: [this.where(selection), after ? { id: { gt: after } } : {}] },
        orderBy: { id: 'asc' },
        take: PAGE,
        select: { id: true, excluded: true, parkedAt: true },
      });
      if (!tenants.length) break;
      after = tenants[tenants.length - 1]!.id;
      const already = new Set(
        (await this.prisma.run.findMany({ where: { batchId, tenantId: { in: tenants.map((t) => t.id) } }, select: { tenantId: true } })).map(
          (r) => r.tenantId,
        ),
      );
      const eligible: string[] = [];
      for (const t of tenants) {
        if (already.has(t.id)) continue;
        // Excluded tenants are never touched by bulk work; parked ones wait for a human retry.
        if (t.excluded) {
          skipped.push({ tenantId: t.id, reason: 'excluded' });
          continue;
        }
        if (t.parkedAt) {
          skipped.push({ tenantId: t.id, reason: 'parked after repeated failures; retry it individually' });
          continue;
        }
        eligible.push(t.id);
      }
      // Created (one transaction) and enqueued a chunk at a time: workers start on the first runs at once.
      for (let i = 0; i < eligible.length; i += ENQUEUE_CHUNK) {
        const { runs, conflicts } = await this.launcher.createMany(eligible.slice(i, i + ENQUEUE_CHUNK), {
          kind: batch.kind,
          dryRun: batch.dryRun,
          batchId,
          requestedBy: batch.requestedBy,
          correlationId,
          options: selection.options,
        });
        for (const c of conflicts) skipped.push({ tenantId: c.tenantId, reason: `run ${c.activeRunId} already active` });
        const jobs = runs.map((run) => ({ data: { runId: run.id, tenantId: run.tenantId, correlationId }, opts: { jobId: runJobId(run.id), priority: BULK_PRIORITY } }));
        await this.producer.enqueueBulk('runs', 'run.execute', jobs);
        created += jobs.length;
      }
    }
    if (skipped.length) {
      await this.prisma.batch.update({ where: { id: batchId }, data: { skipped: skipped as unknown as Prisma.InputJsonValue } });
    }
    this.logger.log({ batchId, created, skipped: skipped.length }, 'batch fanned out');
    return { created, skipped: skipped.length };
  }

  async status(scope: TenantScope, batchId: string): Promise<(Batch & { counts: Record<string, number>; created: number }) | null> {
    const batch = await this.prisma.batch.findUnique({ where: { id: batchId } });
    if (!batch) return null;
    const selection = batch.selection as unknown as Selection;
    // A batch is visible to keys whose restriction covers the one it was created with.
    if (scope.tags.length && !selection.scopeTags.every((t) => scope.tags.includes(t))) return null;
    if (scope.tags.length && !selection.scopeTags.length) return null;
    const grouped = await this.prisma.run.groupBy({ by: ['status'], where: { batchId }, _count: { _all: true } });
    const counts = Object.fromEntries(grouped.map((g) => [g.status, g._count._all]));
    const created = grouped.reduce((n, g) => n + g._count._all, 0);
    return { ...batch, counts, created };
  }

  private where(s: Selection): Prisma.TenantWhereInput {
    return {
      AND: [
        tenantWhere({ tags: s.scopeTags }),
        s.tenantIds ? { id: { in: s.tenantIds } } : {},
        s.tag ? { tags: { has: s.tag } } : {},
      ],
    };
  }
}

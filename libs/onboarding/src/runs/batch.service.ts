import { Injectable, Logger } from '@nestjs/common';
import { Batch, Prisma, PrismaService, RunKind, TenantScope, tenantWhere } from '@app/db';
import { JobProducer } from '@app/jobs';
import { runJobId, RunConflictError, RunLauncher } from './run-launcher.service';

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
    const batch = await this.prisma.batch.create({
      data: { kind: input.kind, dryRun: input.dryRun ?? false, requestedBy, selection: selection as unknown as Prisma.InputJsonValue, total },
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
      const jobs = [];
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
        try {
          const run = await this.launcher.create(t.id, {
            kind: batch.kind,
            dryRun: batch.dryRun,
            batchId,
            requestedBy: batch.requestedBy,
            correlationId,
            options: selection.options,
          });
          jobs.push({ data: { runId: run.id, tenantId: t.id, correlationId }, opts: { jobId: runJobId(run.id), priority: BULK_PRIORITY } });
        } catch (e) {
          if (!(e instanceof RunConflictError)) throw e;
          skipped.push({ tenantId: t.id, reason: `run ${e.activeRunId} already active` });
        }
      }
      await this.producer.enqueueBulk('runs', 'run.execute', jobs);
      created += jobs.length;
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

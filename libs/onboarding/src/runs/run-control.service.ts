import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService, Run, RunStep, TenantScope, tenantWhere } from '@app/db';
import { JobProducer } from '@app/jobs';
import { ApiError } from '@app/platform';
import { runJobId, RunConflictError, RunLauncher } from './run-launcher.service';
import { TenantOutcomes } from './tenant-outcomes.service';

export type RunWithSteps = Run & { steps: RunStep[] };

/** Reading, cancelling and retrying runs, always through the caller's tenant scope. */
@Injectable()
export class RunControl {
  constructor(
    private readonly prisma: PrismaService,
    private readonly producer: JobProducer,
    private readonly launcher: RunLauncher,
    private readonly outcomes: TenantOutcomes,
  ) {}

  async get(scope: TenantScope, runId: string): Promise<RunWithSteps> {
    const run = await this.prisma.run.findFirst({
      where: { id: runId, tenant: tenantWhere(scope) },
      include: { steps: { orderBy: { ordinal: 'asc' } } },
    });
    if (!run) throw ApiError.notFound('Run', runId);
    return run;
  }

  /** Callers check the tenant's visibility first. */
  listForTenant(tenantId: string, take: number): Promise<RunWithSteps[]> {
    return this.prisma.run.findMany({
      where: { tenantId },
      orderBy: { createdAt: 'desc' },
      take,
      include: { steps: { orderBy: { ordinal: 'asc' } } },
    });
  }

  /**
   * A queued or parked run is cancelled at once; a running one is flagged and the engine stops before its next
   * step (a step in flight finishes: every step is idempotent, so stopping mid-call would gain nothing).
   */
  async cancel(scope: TenantScope, runId: string, actor: string, correlationId: string): Promise<RunWithSteps> {
    const run = await this.get(scope, runId);
    if (run.status === 'succeeded' || run.status === 'failed' || run.status === 'cancelled') {
      throw new ApiError('CONFLICT', `Run ${runId} is already ${run.status}.`);
    }
    await this.prisma.$transaction([
      this.prisma.run.update({ where: { id: runId }, data: { cancelRequested: true } }),
      this.prisma.activityLog.create({ data: { actor, action: 'run.cancel_requested', tenantId: run.tenantId, runId, correlationId } }),
    ]);
    if (run.status === 'queued' || run.status === 'awaiting_consent') {
      const job = await this.producer.queue('runs').getJob(runJobId(runId));
      if (job && !(await job.isActive())) await job.remove();
      if (!job || !(await job.isActive())) await this.outcomes.runFinished(run, 'cancelled');
    }
    return this.get(scope, runId);
  }

  /** Resumes a failed or cancelled run at its first unfinished step; completed steps are not repeated. */
  async retry(scope: TenantScope, runId: string, actor: string, correlationId: string): Promise<RunWithSteps> {
    const run = await this.get(scope, runId);
    if (run.status !== 'failed' && run.status !== 'cancelled') {
      throw new ApiError('CONFLICT', `Run ${runId} is ${run.status}; only failed or cancelled runs can be retried.`);
    }
    try {
      await this.prisma.$transaction([
        this.prisma.runStep.updateMany({
          where: { runId, status: { in: ['failed', 'running'] } },
          data: { status: 'pending', finishedAt: null, attempts: 0 },
        }),
        this.prisma.run.update({
          where: { id: runId },
          data: { status: 'queued', activeTenantId: run.tenantId, cancelRequested: false, finishedAt: null, errorCode: null, errorHint: null },
        }),
        // Retrying is the human decision the circuit breaker waits for.
        this.prisma.tenant.update({ where: { id: run.tenantId }, data: { parkedAt: null, consecutiveFailures: 0 } }),
        this.prisma.activityLog.create({ data: { actor, action: 'run.retried', tenantId: run.tenantId, runId, correlationId } }),
      ]);
    } catch (e) {
      if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002') {
        const active = await this.prisma.run.findUnique({ where: { activeTenantId: run.tenantId }, select: { id: true } });
        throw new RunConflictError(active?.id ?? 'unknown');
      }
      throw e;
    }
    await this.launcher.requeue(run);
    return this.get(scope, runId);
  }
}

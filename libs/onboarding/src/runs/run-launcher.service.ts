import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService, Run, RunKind } from '@app/db';
import { JobProducer } from '@app/jobs';
import { ApiError } from '@app/platform';
import { STEPS_BY_KIND } from './step-catalogue';

export interface StartRunInput {
  kind: RunKind;
  dryRun?: boolean;
  requestedBy: string;
  correlationId: string;
  batchId?: string;
  options?: { keepServicePrincipal?: boolean; adoptRoles?: boolean };
}

export class RunConflictError extends ApiError {
  constructor(readonly activeRunId: string) {
    super('CONFLICT', `Run ${activeRunId} is already active for this tenant.`, { activeRunId });
  }
}

/** BullMQ job id for a run: one job per run, whoever enqueues it (api, reaper, consent callback). */
export const runJobId = (runId: string): string => `run-${runId}`;

/**
 * Starts runs. "One active run per tenant" is enforced by Postgres (unique `active_tenant_id`), so two api
 * processes racing for the same tenant get exactly one run; the loser answers 409 naming the winner.
 */
@Injectable()
export class RunLauncher {
  constructor(
    private readonly prisma: PrismaService,
    private readonly producer: JobProducer,
  ) {}

  async start(tenantId: string, input: StartRunInput): Promise<Run> {
    const run = await this.create(tenantId, input);
    await this.enqueue(run);
    return run;
  }

  /** Inserts the run and its pending steps in one transaction; throws RunConflictError when one is active. */
  async create(tenantId: string, input: StartRunInput, tx: Prisma.TransactionClient = this.prisma): Promise<Run> {
    try {
      const run = await tx.run.create({
        data: { ...runRow(tenantId, input), steps: { create: STEPS_BY_KIND[input.kind].map((name, ordinal) => ({ name, ordinal })) } },
      });
      await tx.activityLog.create({ data: runRequestedActivity(run, input) });
      return run;
    } catch (e) {
      if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002') {
        const active = await this.prisma.run.findUnique({ where: { activeTenantId: tenantId }, select: { id: true } });
        throw new RunConflictError(active?.id ?? 'unknown');
      }
      throw e;
    }
  }

  /**
   * `create` for many tenants in one transaction (bulk fan-out: a handful of statements per page instead of six per
   * run). A tenant that already has an active run gets none (the unique `active_tenant_id` skips its row) and is
   * returned in `conflicts` with the active run's id.
   */
  async createMany(tenantIds: string[], input: StartRunInput): Promise<{ runs: Run[]; conflicts: { tenantId: string; activeRunId: string }[] }> {
    if (!tenantIds.length) return { runs: [], conflicts: [] };
    const names = STEPS_BY_KIND[input.kind];
    const runs = await this.prisma.$transaction(async (tx) => {
      const created = await tx.run.createManyAndReturn({ data: tenantIds.map((tenantId) => runRow(tenantId, input)), skipDuplicates: true });
      if (!created.length) return created;
      await tx.runStep.createMany({ data: created.flatMap((run) => names.map((name, ordinal) => ({ runId: run.id, name, ordinal }))) });
      await tx.activityLog.createMany({ data: created.map((run) => runRequestedActivity(run, input)) });
      return created;
    });
    const made = new Set(runs.map((r) => r.tenantId));
    const missing = tenantIds.filter((t) => !made.has(t));
    const active = missing.length
      ? await this.prisma.run.findMany({ where: { activeTenantId: { in: missing } }, select: { id: true, tenantId: true } })
      : [];
    const activeBy = new Map(active.map((r) => [r.tenantId, r.id]));
    return { runs, conflicts: missing.map((tenantId) => ({ tenantId, activeRunId: activeBy.get(tenantId) ?? 'unknown' })) };
  }

  /**
   * After admin consent: resumes the tenant's run parked in `awaiting_consent`, or starts a new onboarding run.
   * Returns the run that will proceed.
   */
  async resumeAfterConsent(tenantId: string, requestedBy: string, correlationId: string): Promise<Run> {
    const parked = await this.prisma.run.findFirst({ where: { tenantId, status: 'awaiting_consent' } });
    if (!parked) return this.start(tenantId, { kind: 'onboard', requestedBy, correlationId });
    const resumed = await this.prisma.run.update({ where: { id: parked.id }, data: { status: 'queued' } });
    await this.requeue(resumed);
    return resumed;
  }

  /**
   * Enqueues a run again (resume after consent, retry after failure). A finished job keeps its id in BullMQ for a
   * while, and an add with an existing id is ignored, so the old job is removed first.
   */
  async requeue(run: Pick<Run, 'id' | 'tenantId' | 'correlationId'>): Promise<void> {
    const queue = this.producer.queue('runs');
    const existing = await queue.getJob(runJobId(run.id));
    if (existing && !(await existing.isActive())) await existing.remove();
    await this.enqueue(run);
  }

  /** Idempotent: the job id is derived from the run id, so a second enqueue of the same run is a no-op. */
  async enqueue(run: Pick<Run, 'id' | 'tenantId' | 'correlationId'>, delayMs?: number): Promise<void> {
    await this.producer.enqueue(
      'runs',
      'run.execute',
      { runId: run.id, tenantId: run.tenantId, correlationId: run.correlationId },
      { jobId: runJobId(run.id), delayMs },
    );
  }
}

/** The run row for one tenant: single and bulk creation write the same columns. */
function runRow(tenantId: string, input: StartRunInput) {
  return {
    tenantId,
    kind: input.kind,
    dryRun: input.dryRun ?? false,
    activeTenantId: tenantId,
    batchId: input.batchId,
    correlationId: input.correlationId,
    requestedBy: input.requestedBy,
    options: input.options ?? {},
  } satisfies Prisma.RunUncheckedCreateInput;
}

/** The `run.requested` activity row written in the run's creating transaction. */
function runRequestedActivity(run: Pick<Run, 'id' | 'tenantId' | 'dryRun'>, input: StartRunInput) {
  return {
    actor: input.requestedBy,
    action: 'run.requested',
    tenantId: run.tenantId,
    runId: run.id,
    correlationId: input.correlationId,
    details: { kind: input.kind, dryRun: run.dryRun, batchId: input.batchId ?? null },
  } satisfies Prisma.ActivityLogUncheckedCreateInput;
}

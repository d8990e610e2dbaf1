import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService, Run, RunKind, RunStatus, withRequestContext } from '@app/db';
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

/** What bulk creation returns of each run it made. */
export type CreatedRun = Pick<Run, 'id' | 'tenantId' | 'status' | 'activeTenantId' | 'correlationId'>;

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
   * `create` for many tenants in one statement (bulk fan-out): runs, their pending steps and `run.requested` rows
   * are data-modifying CTEs of one INSERT over arrays, so a page of runs costs one round trip and no per-row query
   * building (Prisma's createMany compiled thousands of parameters per call: ~2 ms of CPU per run). A tenant that
   * already has an active run gets none (ON CONFLICT on the unique `active_tenant_id` skips its row) and is
   * returned in `conflicts` with the active run's id.
   */
  async createMany(tenantIds: string[], input: StartRunInput): Promise<{ runs: CreatedRun[]; conflicts: { tenantId: string; activeRunId: string }[] }> {
    if (!tenantIds.length) return { runs: [], conflicts: [] };
    const now = new Date();
    const row = runColumns(input);
    // Every row of one call has the same requester and details: the request context is applied once.
    const activity = withRequestContext({ ...runRequested(input), clientIp: null as string | null });
    const created = await this.prisma.$queryRaw<{ id: string; tenant_id: string; status: RunStatus; correlation_id: string }[]>`
      WITH r AS (
        INSERT INTO runs (id, tenant_id, kind, dry_run, active_tenant_id, batch_id, correlation_id, requested_by, options, created_at, updated_at)
        SELECT gen_random_uuid(), t, ${row.kind}::"RunKind", ${row.dryRun}, t, ${row.batchId ?? null}::uuid, ${row.correlationId}, ${row.requestedBy},
          ${JSON.stringify(row.options)}::jsonb, ${now}, ${now}
        FROM unnest(${tenantIds}::uuid[]) AS t
        ON CONFLICT DO NOTHING
        RETURNING id, tenant_id, status, correlation_id
      ), s AS (
        INSERT INTO run_steps (id, run_id, name, ordinal)
        SELECT gen_random_uuid(), r.id, step.name, step.ordinal - 1 FROM r, unnest(${[...STEPS_BY_KIND[input.kind]]}::text[]) WITH ORDINALITY AS step(name, ordinal)
      ), a AS (
        INSERT INTO activity_log (at, actor, action, tenant_id, run_id, correlation_id, details, client_ip)
        SELECT ${now}, ${activity.actor}, ${activity.action}, r.tenant_id, r.id, ${activity.correlationId ?? null}, ${JSON.stringify(activity.details)}::jsonb,
          ${activity.clientIp ?? null}
        FROM r
      )
      SELECT id, tenant_id, status, correlation_id FROM r`;
    const runs = created.map((r) => ({ id: r.id, tenantId: r.tenant_id, status: r.status, activeTenantId: r.tenant_id, correlationId: r.correlation_id }));
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

/** The run columns every run of one request shares (single and bulk creation write the same ones). */
function runColumns(input: StartRunInput) {
  return {
    kind: input.kind,
    dryRun: input.dryRun ?? false,
    batchId: input.batchId,
    correlationId: input.correlationId,
    requestedBy: input.requestedBy,
    options: input.options ?? {},
  };
}

/** The run row for one tenant. */
function runRow(tenantId: string, input: StartRunInput) {
  return { tenantId, activeTenantId: tenantId, ...runColumns(input) } satisfies Prisma.RunUncheckedCreateInput;
}

/** What every `run.requested` activity row of one request shares. */
function runRequested(input: StartRunInput) {
  return {
    actor: input.requestedBy,
    action: 'run.requested',
    correlationId: input.correlationId,
    details: { kind: input.kind, dryRun: input.dryRun ?? false, batchId: input.batchId ?? null },
  };
}

/** The `run.requested` activity row written in the run's creating transaction. */
function runRequestedActivity(run: Pick<Run, 'id' | 'tenantId'>, input: StartRunInput) {
  return { ...runRequested(input), tenantId: run.tenantId, runId: run.id } satisfies Prisma.ActivityLogUncheckedCreateInput;
}

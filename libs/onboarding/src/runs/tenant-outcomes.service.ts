import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { outboxEventData, Prisma, PrismaService, Run, TenantStatus, withRequestContext } from '@app/db';
import { StepDone, StepRunning, stepRunningSql, stepSucceededSql, tenantAssignments } from './step-marks';

/** Consecutive failed runs after which a tenant is parked (circuit breaker) until someone retries it. */
export const PARK_AFTER_FAILURES = 3;

/**
 * Run and tenant state transitions, each in one transaction with its activity-log record, so the run, the
 * tenant and the record of what happened never disagree.
 */
@Injectable()
export class TenantOutcomes {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Marks the run running and the tenant onboarding/offboarding — and, in the same statement, the run's first step
   * running (`firstStep`), only while no cancel was requested. One statement for all three: this is on the path of
   * every run pass. Returns false when the cancel check stopped the step's mark.
   */
  async runStarted(run: Run, firstStep?: StepRunning): Promise<boolean> {
    const tenantStatus: TenantStatus | undefined = run.dryRun
      ? undefined
      : run.kind === 'offboard'
        ? 'offboarding'
        : run.kind === 'onboard'
          ? 'onboarding'
          : undefined;
    const now = new Date();
    const tenantUpdate = tenantStatus
      ? Prisma.sql`, t AS (UPDATE tenants SET status = ${tenantStatus}::"TenantStatus", status_reason = NULL, updated_at = ${now}
          WHERE id = ${run.tenantId}::uuid)`
      : Prisma.empty;
    const stepMark = firstStep ? stepRunningSql(run.id, firstStep) : Prisma.sql`SELECT ${run.id}::uuid AS id`;
    const { rows } = await this.prisma.direct(Prisma.sql`
      WITH r AS (UPDATE runs SET status = 'running', started_at = ${run.startedAt ?? now}, updated_at = ${now} WHERE id = ${run.id}::uuid)
      ${tenantUpdate}, s AS (${stepMark})
      SELECT id FROM s`);
    return rows.length === 1;
  }

  async parkedForConsent(run: Run, reason: string): Promise<void> {
    await this.prisma.$transaction([
      this.prisma.run.update({ where: { id: run.id }, data: { status: 'awaiting_consent', errorCode: 'CONSENT_MISSING', errorHint: reason } }),
      this.prisma.tenant.update({ where: { id: run.tenantId }, data: { status: 'awaiting_consent', statusReason: reason } }),
      this.prisma.activityLog.create({
        data: { actor: 'worker', action: 'run.awaiting_consent', tenantId: run.tenantId, runId: run.id, correlationId: run.correlationId, details: { reason } },
      }),
      // Outbound webhook (issue 8), committed with the state change it announces.
      this.prisma.outboxEvent.create({
        data: outboxEventData({
          type: 'run.awaiting_consent',
          tenantId: run.tenantId,
          runId: run.id,
          correlationId: run.correlationId,
          data: { run: { id: run.id, kind: run.kind, dryRun: run.dryRun, status: 'awaiting_consent' }, reason },
        }),
      }),
    ]);
  }

  /**
   * The run's outcome, the tenant's status (circuit breaker included), the activity record and the outbound webhook
   * events — one statement (data-modifying CTEs commit or fail together), because every run pass ends here. A step
   * that succeeded last and is not yet recorded (`lastStep`) is recorded by the same statement.
   */
  async runFinished(
    run: Run,
    status: 'succeeded' | 'failed' | 'cancelled',
    error?: { code: string; hint: string; step: string },
    lastStep?: StepDone,
  ): Promise<void> {
    const now = new Date();
    const tenantId = Prisma.sql`${run.tenantId}::uuid`;
    // The tenant's columns as this statement leaves them (RETURNING of its update, or the row when untouched).
    const TENANT_COLUMNS = Prisma.sql`id, entra_tenant_id, display_name, status::text AS status`;
    // The tenant columns the last step learned go into this statement's one tenant update (a second CTE updating the
    // same row would be silently lost). Only a succeeded run passes its last step, and only a real run's steps learn
    // columns (RunEngine.runStep), so the success branch is the one that carries them.
    const assignments = tenantAssignments(lastStep?.tenant);
    const learned = assignments.length ? Prisma.sql`${Prisma.join(assignments)},` : Prisma.empty;
    let tenantUpdate: Prisma.Sql | undefined;
    if (!run.dryRun && status === 'succeeded') {
      tenantUpdate = Prisma.sql`UPDATE tenants SET status = ${run.kind === 'offboard' ? 'offboarded' : 'active'}::"TenantStatus", ${learned}
        status_reason = NULL, consecutive_failures = 0, parked_at = NULL, updated_at = ${now} WHERE id = ${tenantId} RETURNING ${TENANT_COLUMNS}`;
    } else if (!run.dryRun && status === 'failed') {
      // A failed resync leaves an active tenant active (restores still work); onboarding/offboarding fail it. The
      // SET expressions see the row before the update: this failure is the (consecutive_failures + 1)th.
      const reason = `${error?.code ?? 'FAILED'}: ${error?.hint ?? ''}`.trim();
      tenantUpdate = Prisma.sql`UPDATE tenants SET consecutive_failures = consecutive_failures + 1, status_reason = ${reason},
        ${run.kind === 'resync' ? Prisma.empty : Prisma.sql`status = 'failed',`}
        parked_at = CASE WHEN parked_at IS NULL AND consecutive_failures + 1 >= ${PARK_AFTER_FAILURES} THEN ${now} ELSE parked_at END,
        updated_at = ${now} WHERE id = ${tenantId} RETURNING ${TENANT_COLUMNS}`;
    }
    const activity = withRequestContext({
      actor: 'worker',
      clientIp: null as string | null,
      correlationId: run.correlationId as string | null,
      details: { kind: run.kind, dryRun: run.dryRun, ...(error ?? {}) } as Prisma.InputJsonObject,
    });
    // Outbound webhooks (issue 8), in this statement: announced exactly when the outcome commits.
    const types = status === 'cancelled' ? [] : [status === 'succeeded' ? 'run.succeeded' : 'run.failed'];
    if (status === 'succeeded' && run.kind === 'offboard' && !run.dryRun) types.push('tenant.offboarded');
    const runAbout = { id: run.id, kind: run.kind, dryRun: run.dryRun, status, ...(error ? { errorCode: error.code, errorHint: error.hint, failedStep: error.step } : {}) };
    const outbox = types.length
      ? Prisma.sql`, o AS (INSERT INTO outbox_events (id, type, tenant_id, run_id, correlation_id, data, created_at)
          SELECT e.id, e.type, cur.id, ${run.id}::uuid, ${run.correlationId}::text,
            jsonb_build_object('tenant', jsonb_build_object('id', cur.id, 'entraTenantId', cur.entra_tenant_id, 'displayName', cur.display_name,
              'status', cur.status), 'run', ${JSON.stringify(runAbout)}::jsonb), ${now}::timestamptz
          FROM cur, (VALUES ${Prisma.join(types.map((t) => Prisma.sql`(${randomUUID()}::uuid, ${t}::text)`))}) AS e(id, type))`
      : Prisma.empty;
    await this.prisma.direct(Prisma.sql`
      WITH ${lastStep ? Prisma.sql`s AS (${stepSucceededSql(lastStep)}),` : Prisma.empty}
      r AS (UPDATE runs SET status = ${status}::"RunStatus", finished_at = ${now}, active_tenant_id = NULL, error_code = ${error?.code ?? null},
        error_hint = ${error?.hint ?? null}, updated_at = ${now} WHERE id = ${run.id}::uuid),
      cur AS (${tenantUpdate ?? Prisma.sql`SELECT ${TENANT_COLUMNS} FROM tenants WHERE id = ${tenantId}`}),
      a AS (INSERT INTO activity_log (at, actor, action, tenant_id, run_id, correlation_id, details, client_ip)
        VALUES (${now}, ${activity.actor}, ${`run.${status}`}, ${tenantId}, ${run.id}::uuid, ${activity.correlationId ?? null},
          ${JSON.stringify(activity.details)}::jsonb, ${activity.clientIp ?? null}))
      ${outbox}
      SELECT 1`);
  }
}

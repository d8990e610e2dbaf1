import { Injectable } from '@nestjs/common';
import { addOutboxEvent, outboxEventData, Prisma, PrismaService, Run, Tenant, TenantStatus } from '@app/db';
import { StepRunning, stepRunningSql } from './step-marks';

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
    const rows = await this.prisma.$queryRaw<unknown[]>`
      WITH r AS (UPDATE runs SET status = 'running', started_at = ${run.startedAt ?? now}, updated_at = ${now} WHERE id = ${run.id}::uuid)
      ${tenantUpdate}, s AS (${stepMark})
      SELECT id FROM s`;
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

  async runFinished(
    run: Run,
    status: 'succeeded' | 'failed' | 'cancelled',
    error?: { code: string; hint: string; step: string },
  ): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      // The tenant row as this transaction leaves it (each update returns it), for the outbox event below.
      let tenant: Tenant | undefined;
      await tx.run.update({
        where: { id: run.id },
        select: { id: true },
        data: { status, finishedAt: new Date(), activeTenantId: null, errorCode: error?.code ?? null, errorHint: error?.hint ?? null },
      });
      if (!run.dryRun && status === 'succeeded') {
        tenant = await tx.tenant.update({
          where: { id: run.tenantId },
          data: {
            status: run.kind === 'offboard' ? 'offboarded' : 'active',
            statusReason: null,
            consecutiveFailures: 0,
            parkedAt: null,
          },
        });
      }
      if (!run.dryRun && status === 'failed') {
        const counted = await tx.tenant.update({
          where: { id: run.tenantId },
          data: { consecutiveFailures: { increment: 1 }, statusReason: `${error?.code ?? 'FAILED'}: ${error?.hint ?? ''}`.trim() },
        });
        const park = counted.consecutiveFailures >= PARK_AFTER_FAILURES && !counted.parkedAt;
        tenant = await tx.tenant.update({
          where: { id: run.tenantId },
          data: {
            // A failed resync leaves an active tenant active (restores still work); onboarding/offboarding fail it.
            ...(run.kind === 'resync' ? {} : { status: 'failed' as const }),
            ...(park ? { parkedAt: new Date() } : {}),
          },
        });
      }
      await tx.activityLog.create({
        data: {
          actor: 'worker',
          action: `run.${status}`,
          tenantId: run.tenantId,
          runId: run.id,
          correlationId: run.correlationId,
          details: { kind: run.kind, dryRun: run.dryRun, ...(error ?? {}) },
        },
      });
      // Outbound webhooks (issue 8), in this transaction: announced exactly when the outcome commits.
      if (status !== 'cancelled') {
        tenant ??= await tx.tenant.findUniqueOrThrow({ where: { id: run.tenantId } });
        const about = {
          tenant: { id: tenant.id, entraTenantId: tenant.entraTenantId, displayName: tenant.displayName, status: tenant.status },
          run: { id: run.id, kind: run.kind, dryRun: run.dryRun, status, ...(error ? { errorCode: error.code, errorHint: error.hint, failedStep: error.step } : {}) },
        };
        const base = { tenantId: run.tenantId, runId: run.id, correlationId: run.correlationId, data: about };
        await addOutboxEvent(tx, { ...base, type: status === 'succeeded' ? 'run.succeeded' : 'run.failed' });
        if (status === 'succeeded' && run.kind === 'offboard' && !run.dryRun) await addOutboxEvent(tx, { ...base, type: 'tenant.offboarded' });
      }
    });
  }
}

import { Injectable } from '@nestjs/common';
import { StepContext, StepHandler, StepResult } from '../runs/step.types';
import { SyncScheduler } from './sync-scheduler.service';
import { TenantSync } from './tenant-sync.service';

/**
 * Step 6 (DESIGN.md): the tenant's first audit sync (its VB365 history and directory audits), then its schedule.
 * A dry run reads nothing and registers nothing: it reports what would happen.
 */
@Injectable()
export class AuditSyncStep implements StepHandler {
  readonly name = 'audit-sync' as const;

  constructor(
    private readonly sync: TenantSync,
    private readonly scheduler: SyncScheduler,
  ) {}

  async execute(ctx: StepContext): Promise<StepResult> {
    const every = this.scheduler.intervalMs(ctx.tenant) / 60_000;
    if (ctx.dryRun) {
      return { changes: [{ action: 'registerSchedule', target: `tenant-sync:${ctx.tenant.id}`, detail: { everyMinutes: every, applied: false } }] };
    }
    const sp = ctx.outputs['ensure-service-principal'] ?? {};
    const grants = ctx.outputs['ensure-consent-grants'] ?? {};
    const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
    const vb = ctx.outputs['verify-vb365'] ?? {};
    const orgId = str(vb['vb365OrganizationId']);
    const { report, tenant } = await this.sync.firstSync(ctx.tenant, ctx.run.correlationId, {
      servicePrincipalId: str(sp['restorePortalSpId']),
      graphGrantId: str(grants['graphGrantId']),
      selfGrantId: str(grants['selfGrantId']),
      ...(orgId ? { vb365Organization: { id: orgId, name: str(vb['organizationName']) } } : {}),
    });
    if (!ctx.tenant.excluded) await this.scheduler.register(ctx.tenant);
    return {
      tenant,
      changes: ctx.tenant.excluded ? [] : [{ action: 'registerSchedule', target: `tenant-sync:${ctx.tenant.id}`, detail: { everyMinutes: every, applied: true } }],
      output: {
        directoryAuditsWritten: report.directoryAudits?.written ?? 0,
        vb365: report.vb365 ?? null,
        consentProblems: report.consent?.problems ?? [],
      },
    };
  }
}

/** First step of offboarding: the tenant stops being synced; its audit data stays (retention still applies). */
@Injectable()
export class StopAuditSyncStep implements StepHandler {
  readonly name = 'stop-audit-sync' as const;

  constructor(private readonly scheduler: SyncScheduler) {}

  async execute(ctx: StepContext): Promise<StepResult> {
    if (ctx.dryRun) return { changes: [{ action: 'removeSchedule', target: `tenant-sync:${ctx.tenant.id}`, detail: { applied: false } }] };
    const removed = await this.scheduler.remove(ctx.tenant.id);
    return { changes: removed ? [{ action: 'removeSchedule', target: `tenant-sync:${ctx.tenant.id}`, detail: { applied: true } }] : [] };
  }
}

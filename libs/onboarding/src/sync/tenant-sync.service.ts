import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, APP_CONFIG } from '@app/config';
import { AuditDb, EntraAuditSync, EntraSyncStats, KnownOrganization, Vb365AuditSync } from '@app/audit';
import { outboxEventData, Prisma, PrismaService, Tenant } from '@app/db';
import { EntraError } from '@app/entra';
import { JobProducer } from '@app/jobs';
import { OutsideClients } from '../clients/clients.module';
import { RoleReconciler } from '../roles/role-reconciler.service';
import { RunConflictError, RunLauncher } from '../runs/run-launcher.service';
import { StepTenantColumns } from '../runs/step-marks';
import { ConsentDrift, consentHint, evaluateConsent } from './consent-drift';
import { SyncScheduler } from './sync-scheduler.service';

/** A first sync reads this far back (bounded by the tenant's retention). */
const FIRST_SYNC_LOOKBACK_DAYS = 30;
/** A scheduled tick this soon after the last sync is skipped (see `sync`). */
const RECENT_SYNC_MS = 5 * 60_000;
/** VB365 server syncs triggered by tenant ticks are coalesced into one job per this window (job id bucket). */
const VB365_SYNC_BUCKET_MS = 60_000;

export interface TenantSyncReport {
  skipped?: string;
  consent?: ConsentDrift;
  roleDriftChanges?: number;
  directoryAudits?: EntraSyncStats;
  vb365?: { enqueued: boolean } | { backfilled: number; eventsWritten: number };
}

export const vb365ServerScope = (baseUrl: string | undefined): string => `server:${baseUrl ? new URL(baseUrl).host.toLowerCase() : 'unconfigured'}`;

/**
 * One tenant's periodic sync (issue 7): consent drift (Graph state, plus revoking directory audits as evidence),
 * role drift (RoleReconciler.checkDrift), new directory audits, and a coalesced VB365 server sync. Errors are the
 * clients' coded errors, rethrown for the processor to classify (THROTTLED waits Retry-After).
 */
@Injectable()
export class TenantSync {
  constructor(
    private readonly prisma: PrismaService,
    private readonly clients: OutsideClients,
    private readonly audit: AuditDb,
    private readonly roles: RoleReconciler,
    private readonly scheduler: SyncScheduler,
    private readonly producer: JobProducer,
    private readonly launcher: RunLauncher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async sync(tenantId: string, correlationId: string, opts: { force?: boolean } = {}): Promise<TenantSyncReport> {
    const tenant = await this.prisma.tenant.findUnique({ where: { id: tenantId } });
    if (!tenant || tenant.excluded || !['active', 'consent_revoked'].includes(tenant.status)) {
      // The tenant was deleted, excluded or offboarded since the scheduler was registered: stop ticking.
      await this.scheduler.remove(tenantId);
      return { skipped: tenant ? `tenant is ${tenant.excluded ? 'excluded' : tenant.status}` : 'tenant deleted' };
    }
    // BullMQ runs an `every` scheduler's first job at once: right after onboarding's own first sync (step 6) that
    // tick would repeat it — for a bulk of thousands of tenants, thousands of Graph reads in the same minutes.
    const recent = Math.min(this.scheduler.intervalMs(tenant) / 2, RECENT_SYNC_MS);
    if (!opts.force && tenant.lastSyncAt && Date.now() - tenant.lastSyncAt.getTime() < recent) {
      return { skipped: 'synced moments ago' };
    }
    try {
      const report = await this.checkAndPull(tenant, correlationId, { firstSync: false });
      await this.prisma.tenant.update({ where: { id: tenantId }, data: { lastSyncAt: new Date(), lastSyncResult: 'succeeded', lastSyncError: null } });
      return report;
    } catch (err) {
      const code = err instanceof EntraError || (err instanceof Error && 'code' in err) ? String((err as { code: unknown }).code) : 'UNKNOWN';
      if (code !== 'THROTTLED') {
        await this.prisma.tenant.update({
          where: { id: tenantId },
          data: { lastSyncAt: new Date(), lastSyncResult: 'failed', lastSyncError: `${code}: ${err instanceof Error ? err.message : String(err)}`.slice(0, 1000) },
        });
      }
      throw err;
    }
  }

  /**
   * Step 6 of onboarding: the tenant's history (VB365 backfill + directory audits), no drift transitions. The tenant's
   * sync columns come back in `tenant` for the run engine to record with the step's success (no statement here).
   */
  async firstSync(
    tenant: Tenant,
    correlationId: string,
    known: { servicePrincipalId: string | null; graphGrantId: string | null; selfGrantId: string | null; vb365Organization?: KnownOrganization },
  ): Promise<{ report: TenantSyncReport; tenant: StepTenantColumns }> {
    const knownIds = [known.servicePrincipalId, known.graphGrantId, known.selfGrantId].filter((x): x is string => !!x);
    const report = await this.checkAndPull(tenant, correlationId, { firstSync: true, knownIds, knownOrganization: known.vb365Organization });
    const { vb365Organization: _org, ...ids } = known;
    // The ids as onboarding left them: a grant removed before the first scheduled check is still recognised.
    const consentDrift: ConsentDrift = { problems: [], ...ids, auditEvidence: [], checkedAt: new Date().toISOString() };
    return { report, tenant: { lastSyncAt: new Date(), lastSyncResult: 'succeeded', lastSyncError: null, consentDrift: consentDrift as unknown as Prisma.JsonValue } };
  }

  private async checkAndPull(
    tenant: Tenant,
    correlationId: string,
    opts: { firstSync: boolean; knownIds?: string[]; knownOrganization?: KnownOrganization },
  ): Promise<TenantSyncReport> {
    const entra = this.clients.entraClient();
    const tid = tenant.entraTenantId;
    const appId = this.config.entra.restorePortalAppId;
    if (!tid || !appId) return { skipped: !tid ? 'tenant has no Entra tenant id' : 'RESTORE_PORTAL_APP_ID not configured' };
    const since = new Date(Date.now() - Math.min(tenant.retentionDays, FIRST_SYNC_LOOKBACK_DAYS) * 86_400_000);
    const report: TenantSyncReport = {};

    const concerning = new Set<string>([appId.toLowerCase(), ...(this.config.entra.orchestratorAppId ? [this.config.entra.orchestratorAppId.toLowerCase()] : [])]);
    if (opts.firstSync) {
      // Steps 2-3 just ensured the SP and grants (a re-read could hit replication lag): their ids are enough.
      for (const id of opts.knownIds ?? []) concerning.add(id.toLowerCase());
      const audits = await new EntraAuditSync(entra, this.audit.writer, this.audit.cursors).syncTenant(tenant.id, tid, concerning, since);
      if (audits) report.directoryAudits = audits;
    } else {
      let accessLost = false;
      try {
        await entra.verifyAccess(tid);
      } catch (err) {
        if (!(err instanceof EntraError && err.code === 'CONSENT_MISSING')) throw err;
        accessLost = true;
      }
      if (accessLost) {
        report.consent = { problems: ['ORCHESTRATOR_ACCESS_LOST'], servicePrincipalId: null, graphGrantId: null, selfGrantId: null, auditEvidence: [], checkedAt: new Date().toISOString() };
        await this.recordConsent(tenant, report.consent, correlationId);
        return report;
      }
      const state = await entra.readConsentState(tid, appId);
      // Directory audits about our apps: their SPs, the grants they hold now or held at the last check.
      const previous = (tenant.consentDrift ?? {}) as Partial<ConsentDrift>;
      for (const id of [state.servicePrincipal?.id, previous.servicePrincipalId, previous.graphGrantId, previous.selfGrantId, ...state.grants.map((g) => g.id)]) {
        if (id) concerning.add(id.toLowerCase());
      }
      if (state.servicePrincipal?.displayName) concerning.add(state.servicePrincipal.displayName.toLowerCase());
      const audits = await new EntraAuditSync(entra, this.audit.writer, this.audit.cursors).syncTenant(tenant.id, tid, concerning, since);
      if (audits) report.directoryAudits = audits;
      report.consent = evaluateConsent(state, audits?.revocations.map((r) => r.id) ?? []);
      await this.recordConsent(tenant, report.consent, correlationId);
      if (!report.consent.problems.length && tenant.vb365OrganizationId) {
        const drift = await this.roles.checkDrift(tenant.id);
        report.roleDriftChanges = drift.changes.length;
        const before = ((tenant.roleDrift ?? {}) as { changes?: unknown[] }).changes?.length ?? 0;
        // Announced once, when drift appears (not on every tick while it persists). The drift itself was stored by
        // checkDrift; the event follows it at once (at-least-once delivery from the outbox).
        if (drift.changes.length && !before) {
          await this.prisma.outboxEvent.create({
            data: outboxEventData({
              type: 'tenant.drift_detected',
              tenantId: tenant.id,
              correlationId,
              data: { kind: 'roles', displayName: tenant.displayName, changes: drift.changes.slice(0, 50), failures: drift.failures.slice(0, 50) },
            }),
          });
        }
      }
    }

    if (this.config.vb365.baseUrl && tenant.vb365OrganizationId) {
      const scope = vb365ServerScope(this.config.vb365.baseUrl);
      if (opts.firstSync) {
        // The organization verify-vb365 just read, when it is still the tenant's (saves a query and a VB365 request).
        const org = opts.knownOrganization?.id.toLowerCase() === tenant.vb365OrganizationId.toLowerCase() ? opts.knownOrganization : undefined;
        const stats = await new Vb365AuditSync(this.clients.vb365Client(), this.audit.writer, this.audit.cursors, this.audit.pool).backfillTenant(tenant.id, scope, since, org);
        report.vb365 = { backfilled: stats.sessionsIngested, eventsWritten: stats.eventsWritten };
      } else {
        const bucket = Math.floor(Date.now() / VB365_SYNC_BUCKET_MS);
        await this.producer.enqueue('audit', 'audit.sync-vb365', { correlationId }, { jobId: `vb365-sync-${bucket}` });
        report.vb365 = { enqueued: true };
      }
    }
    return report;
  }

  /** Stores the drift; a tenant whose consent is gone moves to consent_revoked (and back to active once restored). */
  private async recordConsent(tenant: Tenant, drift: ConsentDrift, correlationId: string): Promise<void> {
    const revoked = drift.problems.length > 0;
    const hint = revoked ? consentHint(drift.problems) : null;
    const repair = revoked && tenant.consentDriftMode === 'repair' && !drift.problems.includes('ORCHESTRATOR_ACCESS_LOST');
    const changed = (tenant.status === 'consent_revoked') !== revoked;
    const wasRevoked = (((tenant.consentDrift ?? {}) as Partial<ConsentDrift>).problems?.length ?? 0) > 0;
    await this.prisma.$transaction([
      // Announced in the same transaction that records the revocation, once per revocation.
      ...(revoked && !wasRevoked
        ? [
            this.prisma.outboxEvent.create({
              data: outboxEventData({
                type: 'tenant.consent_revoked',
                tenantId: tenant.id,
                correlationId,
                data: { displayName: tenant.displayName, problems: drift.problems, hint, repairing: repair },
              }),
            }),
          ]
        : []),
      this.prisma.tenant.update({
        where: { id: tenant.id },
        data: {
          consentDrift: drift as unknown as Prisma.InputJsonValue,
          ...(changed && !repair ? { status: revoked ? 'consent_revoked' : 'active', statusReason: hint } : {}),
        },
      }),
      ...(changed || revoked
        ? [
            this.prisma.activityLog.create({
              data: {
                actor: 'worker',
                action: revoked ? 'drift.consent' : 'drift.consent_restored',
                tenantId: tenant.id,
                correlationId,
                details: { problems: drift.problems, auditEvidence: drift.auditEvidence, hint, repair } as unknown as Prisma.InputJsonValue,
              },
            }),
          ]
        : []),
    ]);
    if (repair) {
      // Repair = a resync run (its steps re-create the SP and grants); one active run per tenant is enforced by the DB.
      await this.launcher.start(tenant.id, { kind: 'resync', requestedBy: 'drift-repair', correlationId }).catch((e: unknown) => {
        if (!(e instanceof RunConflictError)) throw e;
      });
    }
  }
}

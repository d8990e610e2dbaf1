import { Queue } from 'bullmq';
import { EntraClient, MICROSOFT_GRAPH_APP_ID } from '@app/entra';
import { redisOptionsFromUrl } from '@app/jobs';
import { OnboardingStack, ReadyProcess, startOnboardingStack } from '@app/testing';

interface RunBody {
  id: string;
  status: string;
  steps: { name: string; status: string; errorCode: string | null; changes: { action: string }[] }[];
}

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Scheduled tenant sync end to end (issue 7): step 6 of onboarding, per-tenant job schedulers across worker
 * restarts and replicas, consent drift from Graph state and directory audits, no duplicates on re-runs.
 */
describe('audit sync and tenant schedules', () => {
  let stack: OnboardingStack;
  let ids: Map<number, string>;
  let queue: Queue;
  let entra: EntraClient;
  const extraWorkers: ReadyProcess<{ url: string }>[] = [];

  beforeAll(async () => {
    stack = await startOnboardingStack({ tenants: 3, seed: 'e2e-audit', preconsented: [0, 1, 2] });
    ids = await stack.registerTenants();
    queue = new Queue('audit', { connection: redisOptionsFromUrl(REDIS_URL), prefix: stack.env['QUEUE_PREFIX'] });
    entra = stack.orchestratorClient();
    for (const i of [0, 1]) {
      await stack.vb365.admin('/_sim/restore-sessions', { count: 3, organizationId: stack.scenario.tenants[i]!.vb365OrganizationId });
    }
  });

  afterAll(async () => {
    for (const w of extraWorkers) await w.stop();
    await queue?.close();
    await stack?.stop();
  });

  const tenantOf = (i: number) => stack.scenario.tenants[i]!;
  const run = async (i: number, body: Record<string, unknown>): Promise<RunBody> => {
    const r = await stack.call<RunBody>('POST', `/v1/tenants/${ids.get(i)}/runs`, body);
    expect(r.status).toBe(202);
    return (await stack.waitForRun(r.body.id)) as unknown as RunBody;
  };
  const schedulers = async (): Promise<string[]> => (await queue.getJobSchedulers(0, -1)).map((s) => s.key).filter((k) => k.startsWith('tenant-sync:')).sort();
  const auditRows = async (tenantId: string) =>
    stack.prisma.auditEvent.groupBy({ by: ['source'], where: { tenantId }, _count: { _all: true }, orderBy: { source: 'asc' } });
  const total = async (): Promise<number> => stack.prisma.auditEvent.count();
  const syncNow = async (i: number, tag: string): Promise<void> => {
    const job = await queue.add('audit.sync-tenant', { tenantId: ids.get(i), correlationId: `test:${tag}`, force: true }, { jobId: `test-${tag}` });
    for (let k = 0; k < 300; k++) {
      const state = await job.getState();
      if (state === 'completed') return;
      if (state === 'failed') throw new Error(`sync job failed: ${(await queue.getJob(job.id!))?.failedReason}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('sync job did not finish');
  };

  it('onboarding ends with audit-sync: history ingested and the tenant schedule registered', async () => {
    const r = await run(0, { kind: 'onboard' });
    expect(r.status).toBe('succeeded');
    expect(r.steps[r.steps.length - 1]).toMatchObject({ name: 'audit-sync', status: 'succeeded' });
    const rows = await auditRows(ids.get(0)!);
    const bySource = Object.fromEntries(rows.map((x) => [x.source, x._count._all]));
    // The onboarding itself wrote the SP and the two grants: their directory audits concern our apps.
    expect(bySource['entra.directory']).toBeGreaterThanOrEqual(3);
    expect(bySource['vb365.session']).toBe(3);
    expect(bySource['vb365.event']).toBeGreaterThan(0);
    expect(await schedulers()).toEqual([`tenant-sync:${ids.get(0)}`]);
    const t = await stack.prisma.tenant.findUniqueOrThrow({ where: { id: ids.get(0) } });
    expect(t.lastSyncResult).toBe('succeeded');
  });

  it('re-running and concurrent syncs of one tenant write no duplicates', async () => {
    const before = await total();
    await Promise.all([syncNow(0, 'a'), syncNow(0, 'b'), syncNow(0, 'c')]);
    expect(await total()).toBe(before);
    const dups = await stack.prisma.$queryRawUnsafe<unknown[]>('SELECT source, external_id FROM audit_events GROUP BY 1, 2 HAVING count(*) > 1');
    expect(dups).toEqual([]);
  });

  it('two worker processes and a restart keep exactly one scheduler per tenant', async () => {
    await run(1, { kind: 'onboard' });
    extraWorkers.push(await stack.startWorker());
    const expected = [`tenant-sync:${ids.get(0)}`, `tenant-sync:${ids.get(1)}`].sort();
    expect(await schedulers()).toEqual(expected);
    await stack.worker.stop();
    extraWorkers.push(await stack.startWorker());
    expect(await schedulers()).toEqual(expected);
    const every = (await queue.getJobSchedulers(0, -1)).filter((s) => s.key.startsWith('tenant-sync:')).map((s) => s.every);
    expect(new Set(every)).toEqual(new Set([15 * 60_000])); // SCHEDULE_INTERVAL_MINUTES default
  });

  it('detects revoked consent from Graph state and directory audits: consent_revoked with a hint', async () => {
    const tid = tenantOf(0).entraTenantId;
    const sp = await entra.findServicePrincipal(tid, stack.scenario.restorePortalAppId);
    const graphSp = await entra.findServicePrincipal(tid, MICROSOFT_GRAPH_APP_ID);
    // The customer's admin removes the Graph grant (here through Graph with the orchestrator's identity).
    await entra.revokeDelegatedGrant(tid, sp!.id, graphSp!.id);
    await syncNow(0, 'revoked');
    const t = await stack.prisma.tenant.findUniqueOrThrow({ where: { id: ids.get(0) } });
    expect(t.status).toBe('consent_revoked');
    expect(t.statusReason).toContain('consent');
    const drift = t.consentDrift as { problems: string[]; auditEvidence: string[] };
    expect(drift.problems).toEqual(['GRAPH_GRANT_MISSING']);
    expect(drift.auditEvidence.length).toBeGreaterThanOrEqual(1);
    const log = await stack.prisma.activityLog.findMany({ where: { tenantId: ids.get(0), action: 'drift.consent' } });
    expect(log).toHaveLength(1);
    // Announced to the MSP portal once, through the outbox.
    const events = await stack.prisma.outboxEvent.findMany({ where: { tenantId: ids.get(0), type: 'tenant.consent_revoked' } });
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toMatchObject({ problems: ['GRAPH_GRANT_MISSING'] });
    const removed = await stack.prisma.auditEvent.findMany({ where: { tenantId: ids.get(0), action: 'Remove delegated permission grant' } });
    expect(removed).toHaveLength(1);
    // GET /v1/tenants/{id} shows the last sync and the current drift.
    const api = await stack.call<{ status: string; sync: { lastSyncResult: string; lastSyncAt: string; consentDrift: { problems: string[] } } }>('GET', `/v1/tenants/${ids.get(0)}`);
    expect(api.body).toMatchObject({ status: 'consent_revoked', sync: { lastSyncResult: 'succeeded', consentDrift: { problems: ['GRAPH_GRANT_MISSING'] } } });
  });

  it('offboarding stops the schedule and keeps the audit data; an excluded tenant stops on its next tick', async () => {
    const kept = (await auditRows(ids.get(1)!)).reduce((n, x) => n + x._count._all, 0);
    const r = await run(1, { kind: 'offboard' });
    expect(r.steps[0]).toMatchObject({ name: 'stop-audit-sync', status: 'succeeded' });
    expect(await schedulers()).toEqual([`tenant-sync:${ids.get(0)}`]);
    expect((await auditRows(ids.get(1)!)).reduce((n, x) => n + x._count._all, 0)).toBeGreaterThanOrEqual(kept);
    await stack.prisma.tenant.update({ where: { id: ids.get(0) }, data: { excluded: true } });
    await syncNow(0, 'excluded');
    expect(await schedulers()).toEqual([]);
  });
});

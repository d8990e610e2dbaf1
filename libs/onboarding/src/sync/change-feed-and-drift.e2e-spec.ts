import { Queue } from 'bullmq';
import { EntraClient, MICROSOFT_GRAPH_APP_ID } from '@app/entra';
import { redisOptionsFromUrl } from '@app/jobs';
import { OnboardingStack, startOnboardingStack } from '@app/testing';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The VB365 change feed drives audit syncs of just the tenants whose sessions changed, within seconds
 * (docs/change-feed.md); and the per-tenant consent drift mode: `repair` repairs in the sync, `report` records.
 * api + worker processes, both simulators over HTTPS, real Postgres/Redis/BullMQ.
 */
describe('change feed and drift modes', () => {
  let stack: OnboardingStack;
  let ids: Map<number, string>;
  let queue: Queue;
  let entra: EntraClient;

  beforeAll(async () => {
    stack = await startOnboardingStack({
      tenants: 3,
      seed: 'e2e-change-feed',
      preconsented: [0, 1, 2],
      workerEnv: { VB365_CHANGE_FEED_POLL_SECONDS: '1' },
    });
    ids = await stack.registerTenants();
    queue = new Queue('audit', { connection: redisOptionsFromUrl(REDIS_URL), prefix: stack.env['QUEUE_PREFIX'] });
    entra = stack.orchestratorClient();
    for (const i of [0, 1, 2]) {
      const r = await stack.call<{ id: string }>('POST', `/v1/tenants/${ids.get(i)}/runs`, { kind: 'onboard' });
      expect((await stack.waitForRun(r.body.id)).status).toBe('succeeded');
    }
    // Only the feed may bring sessions in from here: the minute-level server sync is switched off.
    await queue.removeJobScheduler('vb365-sync');
  });

  afterAll(async () => {
    await queue?.close();
    await stack?.stop();
  });

  const org = (i: number) => stack.scenario.tenants[i]!.vb365OrganizationId;
  const createSessions = async (i: number, count: number): Promise<string[]> =>
    (await stack.vb365.admin<{ created: { id: string }[] }>('/_sim/restore-sessions', { count, organizationId: org(i) })).created.map((s) => s.id);
  const sessionRows = (externalIds: string[]) =>
    stack.prisma.auditEvent.findMany({ where: { source: 'vb365.session', externalId: { in: externalIds } }, select: { externalId: true, tenantId: true } });
  const waitFor = async <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await sleep(100);
    }
  };
  const feedJobs = async () =>
    (await queue.getJobs(['completed', 'active', 'waiting', 'delayed'], 0, -1)).filter((j) => j.name === 'audit.sync-vb365-sessions');

  it('a restore session created on the server is in Postgres within seconds, through a job for its tenant only', async () => {
    await waitFor('the feed poller to hold a token', async () => {
      const c = await stack.prisma.syncCursor.findFirst({ where: { source: 'vb365' } });
      return c?.changeToken ? true : undefined;
    }, 15_000);
    const started = Date.now();
    const [sessionId] = await createSessions(0, 1);
    const rows = await waitFor('the session row', async () => {
      const r = await sessionRows([sessionId!]);
      return r.length ? r : undefined;
    }, 10_000);
    const latencyMs = Date.now() - started;
    process.stdout.write(`change feed: session in Postgres after ${latencyMs} ms (poll interval 1000 ms; minute-level sync off)\n`);
    expect(latencyMs).toBeLessThan(5_000);
    expect(rows).toEqual([{ externalId: sessionId, tenantId: ids.get(0) }]);
    const mine = (await feedJobs()).filter((j) => (j.data as { sessionIds: string[] }).sessionIds.includes(sessionId!));
    expect(mine.map((j) => (j.data as { tenantId: string }).tenantId)).toEqual([ids.get(0)]);
    expect(mine[0]!.id).toMatch(new RegExp(`^vb365-feed-${ids.get(0)}-[0-9a-f]{16}-0$`));
    // The tick that fanned it out reports it (and not as skipped: ticks that find the lock held are).
    const polls = (await queue.getJobs(['completed'], 0, -1)).filter((j) => j.name === 'audit.poll-vb365-feed');
    const fanned = polls.map((j) => j.returnvalue as { skipped?: string; jobs: number }).filter((r) => r.jobs > 0);
    expect(fanned).toEqual([expect.objectContaining({ jobs: 1, tenants: 1, sessions: 1, foreign: 0 })]);
    expect(fanned[0]!.skipped).toBeUndefined();
  });

  it('an expired change token falls back to a full listing: sessions missed by the feed still arrive', async () => {
    await stack.vb365.admin('/_sim/faults', { changeFeedRetention: 1 }, 'PUT');
    try {
      // Several changes at once push the poller's token out of a one-entry window: the next read is OutdatedChangeToken.
      const created = await createSessions(1, 3);
      const rows = await waitFor('the listed sessions', async () => {
        const r = await sessionRows(created);
        return r.length === created.length ? r : undefined;
      }, 20_000);
      expect(new Set(rows.map((r) => r.tenantId))).toEqual(new Set([ids.get(1)]));
      // They came through the poll's fallback listing, not through per-tenant feed jobs. The rows are written
      // before that poll job completes and records its result, so wait for the result (a full run once looked
      // in between).
      const fellBack = await waitFor('the poll job that fell back to listing', async () => {
        const polls = (await queue.getJobs(['completed'], 0, -1)).filter((j) => j.name === 'audit.poll-vb365-feed');
        return polls.some((j) => (j.returnvalue as { expired?: { sessionsIngested: number } }).expired?.sessionsIngested) ? true : undefined;
      }, 10_000);
      expect(fellBack).toBe(true);
      const viaFeed = (await feedJobs()).filter((j) => (j.data as { sessionIds: string[] }).sessionIds.some((id) => created.includes(id)));
      expect(viaFeed).toEqual([]);
    } finally {
      await stack.vb365.admin('/_sim/faults', { changeFeedRetention: 100000 }, 'PUT');
    }
    // The feed works again from the fresh token.
    const [next] = await createSessions(1, 1);
    await waitFor('a session after the resync', async () => ((await sessionRows([next!])).length ? true : undefined), 10_000);
  });

  it('two worker processes share one poller: one scheduler, each change fanned out once', async () => {
    const second = await stack.startWorker();
    try {
      const feedSchedulers = (await queue.getJobSchedulers(0, -1)).filter((s) => s.key.startsWith('vb365-change-feed:'));
      expect(feedSchedulers.map((s) => [s.key, s.every])).toEqual([['vb365-change-feed:server:' + new URL(stack.env['VB365_BASE_URL']!).host.toLowerCase(), 1000]]);
      // The new worker re-registered the minute-level sync (whose first run is immediate): off again, and let it finish.
      await queue.removeJobScheduler('vb365-sync');
      await waitFor('no server sync in flight', async () => ((await queue.getJobs(['active', 'waiting', 'delayed'], 0, -1)).some((j) => j.name === 'audit.sync-vb365') ? undefined : true), 15_000);
      const created = await createSessions(2, 2);
      await waitFor('both sessions', async () => ((await sessionRows(created)).length === 2 ? true : undefined), 10_000);
      await sleep(2_500); // a few more ticks on both workers
      const carrying = (await feedJobs()).filter((j) => (j.data as { sessionIds: string[] }).sessionIds.some((id) => created.includes(id)));
      expect(carrying.map((j) => (j.data as { tenantId: string }).tenantId)).toEqual([ids.get(2)]);
      expect(await stack.prisma.auditEvent.count({ where: { source: 'vb365.session', externalId: { in: created } } })).toBe(2);
    } finally {
      await second.stop();
    }
  });

  it('consent drift: `repair` re-creates the grant in the sync, `report` only records it', async () => {
    const [repairIdx, reportIdx] = [0, 2];
    const patched = await stack.call<{ consentDriftMode: string }>('PATCH', `/v1/tenants/${ids.get(repairIdx)}`, { consentDriftMode: 'repair' });
    expect(patched.body.consentDriftMode).toBe('repair');
    for (const i of [repairIdx, reportIdx]) {
      const tid = stack.scenario.tenants[i]!.entraTenantId;
      const sp = await entra.findServicePrincipal(tid, stack.scenario.restorePortalAppId);
      const graphSp = await entra.findServicePrincipal(tid, MICROSOFT_GRAPH_APP_ID);
      await entra.revokeDelegatedGrant(tid, sp!.id, graphSp!.id); // the customer's admin removes the Graph grant
    }
    const syncNow = async (i: number, tag: string) => {
      const job = await queue.add('audit.sync-tenant', { tenantId: ids.get(i), correlationId: `test:${tag}`, force: true }, { jobId: `test-${tag}` });
      await waitFor(`sync ${tag}`, async () => {
        const state = await job.getState();
        if (state === 'failed') throw new Error(`sync failed: ${(await queue.getJob(job.id!))?.failedReason}`);
        return state === 'completed' ? true : undefined;
      }, 30_000);
    };
    await syncNow(reportIdx, 'drift-report');
    await syncNow(repairIdx, 'drift-repair');

    const reported = await stack.prisma.tenant.findUniqueOrThrow({ where: { id: ids.get(reportIdx) } });
    expect(reported.status).toBe('consent_revoked');
    expect((reported.consentDrift as { problems: string[] }).problems).toEqual(['GRAPH_GRANT_MISSING']);
    expect(await stack.prisma.run.count({ where: { tenantId: ids.get(reportIdx), kind: 'resync' } })).toBe(0);

    // Repair: recorded too, the tenant stays active, and a resync run re-creates the grant.
    const repairRun = await stack.prisma.run.findFirstOrThrow({ where: { tenantId: ids.get(repairIdx), kind: 'resync', requestedBy: 'drift-repair' } });
    expect((await stack.waitForRun(repairRun.id)).status).toBe('succeeded');
    const log = await stack.prisma.activityLog.findFirstOrThrow({ where: { tenantId: ids.get(repairIdx), action: 'drift.consent' } });
    expect(log.details).toMatchObject({ problems: ['GRAPH_GRANT_MISSING'], repair: true });
    const tid = stack.scenario.tenants[repairIdx]!.entraTenantId;
    const state = await entra.readConsentState(tid, stack.scenario.restorePortalAppId);
    expect(state.grants.length).toBeGreaterThanOrEqual(2);
    // The next sync finds nothing to repair; the report-mode tenant is still without its grant.
    await syncNow(repairIdx, 'after-repair');
    const repaired = await stack.prisma.tenant.findUniqueOrThrow({ where: { id: ids.get(repairIdx) } });
    expect(repaired.status).toBe('active');
    expect((repaired.consentDrift as { problems: string[] }).problems).toEqual([]);
    const api = await stack.call<{ consentDriftMode: string; sync: { lastSyncResult: string; consentDrift: { problems: string[] } } }>('GET', `/v1/tenants/${ids.get(repairIdx)}`);
    expect(api.body).toMatchObject({ consentDriftMode: 'repair', sync: { lastSyncResult: 'succeeded', consentDrift: { problems: [] } } });
    const stillMissing = await entra.readConsentState(stack.scenario.tenants[reportIdx]!.entraTenantId, stack.scenario.restorePortalAppId);
    expect(stillMissing.grants.length).toBeLessThan(state.grants.length);
  });
});

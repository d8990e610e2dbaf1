import { OnboardingStack, startOnboardingStack } from '@app/testing';

interface RunBody {
  id: string;
  status: string;
  errorCode: string | null;
  errorHint: string | null;
  steps: { name: string; status: string; attempts: number; changes: { action: string }[] }[];
}
type Stats = { tenants: Record<string, { writes: Record<string, number>; retryAfterViolations: number }> };

/** Faults, crashes, partial states and bulk: the onboarding contract under pressure. */
describe('onboarding under faults', () => {
  let stack: OnboardingStack;
  let ids: Map<number, string>;
  const BULK = 200;
  const FIRST_BULK = 10;

  beforeAll(async () => {
    stack = await startOnboardingStack({ tenants: FIRST_BULK + BULK, seed: 'e2e-resilience', preconsented: Array.from({ length: FIRST_BULK + BULK }, (_, i) => i) });
    ids = await stack.registerTenants();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const t = (i: number) => stack.scenario.tenants[i]!;
  const entraStats = () => stack.entra.admin<Stats>('/_sim/stats', undefined, 'GET', 'identity');
  const writesOf = (s: Stats, i: number) => Object.values(s.tenants[t(i).entraTenantId]?.writes ?? {}).reduce((a, b) => a + b, 0);
  const start = (i: number, body: Record<string, unknown>) => stack.call<RunBody>('POST', `/v1/tenants/${ids.get(i)}/runs`, body);

  it('repairs every partial consent state: SP without grants, one grant, narrower scope, duplicates, per-user grant', async () => {
    const rp = stack.scenario.restorePortalAppId;
    const graph = '00000003-0000-0000-c000-000000000000';
    const partial = [
      { servicePrincipals: [{ appId: rp }], grants: [] },
      { servicePrincipals: [{ appId: rp }], grants: [{ clientAppId: rp, resourceAppId: graph, scope: 'User.Read' }] },
      { servicePrincipals: [{ appId: rp }], grants: [{ clientAppId: rp, resourceAppId: rp, scope: 'openid' }] },
      {
        servicePrincipals: [{ appId: rp }],
        grants: [
          { clientAppId: rp, resourceAppId: graph, scope: 'User.Read' },
          { clientAppId: rp, resourceAppId: graph, scope: 'User.Read' },
        ],
      },
      {
        servicePrincipals: [{ appId: rp }],
        grants: [{ clientAppId: rp, resourceAppId: graph, scope: 'User.Read', consentType: 'Principal', principalId: '11111111-1111-4111-a111-111111111111' }],
      },
    ];
    const seeded = stack.scenario.entraSeed as { tenants: Record<string, unknown>[] };
    await stack.entra.admin(
      '/_sim/seed',
      { tenants: partial.map((p, k) => ({ ...seeded.tenants[k]!, ...p })) },
      'POST',
      'identity',
    );
    for (let k = 0; k < partial.length; k++) {
      const r = await start(k, { kind: 'onboard' });
      expect(r.status).toBe(202);
      expect((await stack.waitForRun(r.body.id)).status).toBe('succeeded');
      const st = await stack.entra.admin<{
        servicePrincipals: { id: string; appId: string }[];
        grants: { clientId: string; resourceId: string; scope: string; consentType: string }[];
        graphServicePrincipalId: string;
      }>(`/_sim/state/${t(k).entraTenantId}`, undefined, 'GET', 'identity');
      const sps = st.servicePrincipals.filter((s) => s.appId === rp);
      expect(sps).toHaveLength(1);
      const wide = st.grants.filter((g) => g.clientId === sps[0]!.id && g.consentType === 'AllPrincipals');
      const byResource = (id: string) => wide.filter((g) => g.resourceId === id);
      expect(byResource(st.graphServicePrincipalId)).toHaveLength(1);
      expect(byResource(st.graphServicePrincipalId)[0]!.scope.split(' ')).toContain('User.Read');
      expect(byResource(sps[0]!.id)).toHaveLength(1);
      expect(byResource(sps[0]!.id)[0]!.scope.split(' ')).toContain('access_as_user');
      if (k === 4) expect(st.grants.filter((g) => g.consentType === 'Principal')).toHaveLength(1); // left alone
    }
  });

  it('survives SIGKILL of the worker mid-run: the run completes with no duplicate writes', async () => {
    // Slow Graph down so the kill lands mid-step; the reference is a clean onboarding of a sibling tenant.
    await stack.entra.admin('/_sim/faults', { global: { latencyMs: 150 } }, 'PUT', 'identity');
    const ref = await start(5, { kind: 'onboard' });
    expect((await stack.waitForRun(ref.body.id)).status).toBe('succeeded');
    const before = await entraStats();
    const r = await start(6, { kind: 'onboard' });
    await new Promise((res) => setTimeout(res, 900));
    stack.worker.process.kill('SIGKILL');
    const replacement = await stack.startWorker();
    const done = (await stack.waitForRun(r.body.id, 90_000)) as unknown as RunBody;
    await stack.entra.admin('/_sim/faults', { global: {} }, 'PUT', 'identity');
    expect(done.status).toBe('succeeded');
    const after = await entraStats();
    expect(writesOf(after, 6)).toBe(writesOf(before, 5));
    expect(replacement.output()).toContain(r.body.id);
  });

  it('onboards a bulk of 200 tenants through 429s, 503s and replication lag with zero Retry-After violations', async () => {
    await stack.entra.admin(
      '/_sim/faults',
      { global: { throttleRate: 0.05, retryAfterSeconds: [1, 2], error503Rate: 0.05, replicationLagMs: 300 } },
      'PUT',
      'identity',
    );
    await stack.vb365.admin('/_sim/faults', { global: { throttleRate: 0.05, retryAfterSeconds: [1, 2], error503Rate: 0.05 } }, 'PUT');
    const tenantIds = Array.from({ length: BULK }, (_, k) => ids.get(FIRST_BULK + k)!);
    // One tenant excluded: bulk work never touches it.
    await stack.prisma.tenant.update({ where: { id: tenantIds[0] }, data: { excluded: true } });
    const accepted = await stack.call<{ batchId: string; total: number }>('POST', '/v1/runs/bulk', { kind: 'onboard', tenantIds });
    expect(accepted.status).toBe(202);
    expect(accepted.body.total).toBe(BULK);
    const deadline = Date.now() + 240_000;
    let batch: { created: number; counts: Record<string, number>; skipped: { tenantId: string; reason: string }[] } | undefined;
    while (Date.now() < deadline) {
      batch = (await stack.call<typeof batch>('GET', `/v1/batches/${accepted.body.batchId}`)).body;
      if (batch && batch.created === BULK - 1 && (batch.counts['succeeded'] ?? 0) + (batch.counts['failed'] ?? 0) === BULK - 1) break;
      await new Promise((res) => setTimeout(res, 1000));
    }
    await stack.entra.admin('/_sim/faults', { global: {} }, 'PUT', 'identity');
    await stack.vb365.admin('/_sim/faults', { global: {} }, 'PUT');
    const failed = await stack.prisma.run.findMany({ where: { batchId: accepted.body.batchId, status: { not: 'succeeded' } }, select: { status: true, errorCode: true, errorHint: true } });
    expect({ counts: batch!.counts, notSucceeded: failed }).toEqual({ counts: { succeeded: BULK - 1 }, notSucceeded: [] });
    expect(batch!.skipped).toEqual([{ tenantId: tenantIds[0], reason: 'excluded' }]);
    expect(await stack.prisma.run.count({ where: { tenantId: tenantIds[0] } })).toBe(0);
    expect(await stack.prisma.tenant.count({ where: { id: { in: tenantIds }, status: 'active' } })).toBe(BULK - 1);
    const stats = await entraStats();
    const violations = Object.values(stats.tenants).reduce((n, s) => n + s.retryAfterViolations, 0);
    expect(violations).toBe(0);
  });
});

import { OnboardingStack, startOnboardingStack } from '@app/testing';

interface EntraState {
  servicePrincipals: { id: string; appId: string }[];
  grants: { clientId: string; resourceId: string; scope: string; consentType: string }[];
  graphServicePrincipalId: string;
}
interface Vb365State {
  roles: { id: string; name: string; roleType: string; operators: unknown[]; excludedItems: unknown[] }[];
}
interface RunBody {
  id: string;
  status: string;
  errorCode: string | null;
  errorHint: string | null;
  steps: { name: string; status: string; errorCode: string | null; errorHint: string | null; changes: { action: string }[] }[];
}

/**
 * Onboarding end to end: api and worker processes, real Postgres/Redis/BullMQ, both simulators over HTTPS with the
 * real client libraries. Simulator state and write counters are the evidence.
 */
describe('tenant onboarding runs', () => {
  let stack: OnboardingStack;
  let ids: Map<number, string>;
  // 0: preconsented, 1: preconsented (offboarding), 2: needs consent, 3: VB365 organization missing, 4: dry run
  beforeAll(async () => {
    stack = await startOnboardingStack({ tenants: 6, seed: 'e2e-onboarding', preconsented: [0, 1, 3, 4, 5], organizationMissing: [3] });
    ids = await stack.registerTenants();
    for (const id of ids.values()) {
      await stack.prisma.roleSpec.create({
        data: {
          tenantId: id,
          name: 'Helpdesk',
          description: 'Helpdesk restores for everyone except the executives',
          scope: 'entire_organization',
          operators: [{ kind: 'group', ref: 'Helpdesk' }],
          selectedItems: [],
          excludedItems: [{ kind: 'group', ref: 'Executives' }],
        },
      });
    }
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const tenantOf = (i: number) => stack.scenario.tenants[i]!;
  const entraState = (i: number) => stack.entra.admin<EntraState>(`/_sim/state/${tenantOf(i).entraTenantId}`, undefined, 'GET', 'identity');
  const entraWrites = async (i: number): Promise<number> => {
    const s = await stack.entra.admin<{ tenants: Record<string, { writes: Record<string, number> }> }>(
      `/_sim/stats?tenant=${tenantOf(i).entraTenantId}`,
      undefined,
      'GET',
      'identity',
    );
    return Object.values(s.tenants[tenantOf(i).entraTenantId]?.writes ?? {}).reduce((a, b) => a + b, 0);
  };
  const vbWrites = async (i: number): Promise<number> => {
    const s = await stack.vb365.admin<{ byOrganization: Record<string, { writes: number }> }>('/_sim/stats');
    return s.byOrganization[tenantOf(i).vb365OrganizationId]?.writes ?? 0;
  };
  const vbRoles = async (i: number) =>
    (await stack.vb365.admin<Vb365State>(`/_sim/state?organizationId=${tenantOf(i).vb365OrganizationId}`)).roles;
  const start = async (i: number, body: Record<string, unknown>) => stack.call<RunBody>('POST', `/v1/tenants/${ids.get(i)}/runs`, body);
  const run = async (i: number, body: Record<string, unknown>): Promise<RunBody> => {
    const r = await start(i, body);
    expect(r.status).toBe(202);
    return (await stack.waitForRun(r.body.id)) as unknown as RunBody;
  };

  it('onboards a fresh preconsented tenant to the contract end state', async () => {
    const r = await run(0, { kind: 'onboard' });
    expect(r.status).toBe('succeeded');
    const st = await entraState(0);
    const sp = st.servicePrincipals.find((s) => s.appId === stack.scenario.restorePortalAppId);
    expect(sp).toBeDefined();
    const tenantWide = st.grants.filter((g) => g.clientId === sp!.id && g.consentType === 'AllPrincipals');
    expect(tenantWide.map((g) => `${g.resourceId === sp!.id ? 'self' : g.resourceId === st.graphServicePrincipalId ? 'graph' : '?'}:${g.scope}`).sort()).toEqual([
      'graph:User.Read',
      'self:access_as_user',
    ]);
    const roles = await vbRoles(0);
    expect(roles.map((x) => x.name)).toEqual(['Helpdesk']);
    const tenant = await stack.prisma.tenant.findUniqueOrThrow({ where: { id: ids.get(0) } });
    expect(tenant.status).toBe('active');
    expect(tenant.vb365OrganizationId).toBe(tenantOf(0).vb365OrganizationId);
    // Columns the steps learned, written by the engine with each step's success (not by the steps themselves).
    expect(tenant.rolesReconciledAt).toBeInstanceOf(Date);
    expect(tenant).toMatchObject({ lastSyncResult: 'succeeded', lastSyncError: null, lastSyncAt: expect.any(Date) });
    expect(tenant.consentDrift).toMatchObject({ problems: [], servicePrincipalId: sp!.id });
    const owned = await stack.prisma.ownedVb365Role.findMany({ where: { tenantId: ids.get(0) } });
    expect(owned).toEqual([expect.objectContaining({ vb365RoleId: roles[0]!.id, name: 'Helpdesk', lastAppliedAt: expect.any(Date) })]);
    expect(owned[0]!.lastApplied).toMatchObject({ name: 'Helpdesk' });
    // Step 6 (issue 7) is audit-sync: first sync, then the tenant's schedule.
    expect(r.steps.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded']);
  });

  it('makes zero writes when the onboarded tenant is onboarded again', async () => {
    const [e0, v0] = [await entraWrites(0), await vbWrites(0)];
    const before = await stack.prisma.tenant.findUniqueOrThrow({ where: { id: ids.get(0) } });
    const r = await run(0, { kind: 'resync' });
    expect(r.status).toBe('succeeded');
    // reconcile-roles is a resync's last step: its rolesReconciledAt goes with the run's outcome statement.
    const after = await stack.prisma.tenant.findUniqueOrThrow({ where: { id: ids.get(0) } });
    expect(after.rolesReconciledAt!.getTime()).toBeGreaterThan(before.rolesReconciledAt!.getTime());
    expect(after.status).toBe('active');
    expect(await entraWrites(0)).toBe(e0);
    expect(await vbWrites(0)).toBe(v0);
    expect(r.steps.flatMap((s) => s.changes)).toEqual([]);
  });

  it('streams a run\'s progress as Server-Sent Events until it ends', async () => {
    const r = await start(0, { kind: 'resync', dryRun: true });
    const res = await fetch(`${stack.api.info.url}/v1/runs/${r.body.id}/events`, { headers: { authorization: `Bearer ${stack.apiKey}` } });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const text = await res.text(); // the server ends the stream after the `end` event
    const events = [...text.matchAll(/^event: (\w+)\ndata: (.*)$/gm)].map((m) => ({ event: m[1], data: JSON.parse(m[2]!) as { status?: string; name?: string } }));
    expect(events[0]).toMatchObject({ event: 'run' });
    expect(new Set(events.filter((e) => e.event === 'step').map((e) => e.data.name))).toEqual(
      new Set(['verify-access', 'ensure-service-principal', 'ensure-consent-grants', 'verify-vb365', 'reconcile-roles']),
    );
    expect(events[events.length - 1]).toEqual({ event: 'end', data: { status: 'succeeded' } });
  });

  it('records planned writes in a dry run and makes none', async () => {
    const [e0, v0] = [await entraWrites(4), await vbWrites(4)];
    const r = await run(4, { kind: 'onboard', dryRun: true });
    expect(r.status).toBe('succeeded');
    const actions = r.steps.flatMap((s) => s.changes.map((c) => c.action));
    expect(actions).toEqual(expect.arrayContaining(['createServicePrincipal', 'createGrant']));
    expect(actions.length).toBeGreaterThanOrEqual(4);
    expect(await entraWrites(4)).toBe(e0);
    expect(await vbWrites(4)).toBe(v0);
    expect((await stack.prisma.tenant.findUniqueOrThrow({ where: { id: ids.get(4) } })).status).toBe('awaiting_consent');
  });

  it('parks the run as awaiting_consent when the admin has not consented', async () => {
    const r = await run(2, { kind: 'onboard' });
    expect(r.status).toBe('awaiting_consent');
    expect(r.steps[0]).toMatchObject({ name: 'verify-access', status: 'pending', errorCode: 'ENTRA_CONSENT_MISSING' });
    expect((await stack.prisma.tenant.findUniqueOrThrow({ where: { id: ids.get(2) } })).status).toBe('awaiting_consent');
    // The parked run still holds the tenant: another run is refused, naming it.
    const again = await start(2, { kind: 'onboard' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ activeRunId: r.id });
  });

  it('resumes the parked run when the admin consents through the consent link', async () => {
    const parked = await stack.prisma.run.findFirstOrThrow({ where: { tenantId: ids.get(2), status: 'awaiting_consent' } });
    const link = await stack.call<{ url: string }>('GET', `/v1/tenants/${ids.get(2)}/consent-link`);
    expect(link.status).toBe(200);
    // The customer admin's browser: entra-sim's admin-consent page redirects to our callback.
    const page = await fetch(link.body.url, { redirect: 'manual' });
    expect(page.status).toBe(302);
    const location = new URL(page.headers.get('location')!);
    expect(location.searchParams.get('admin_consent')).toBe('True');
    const callback = await fetch(`${stack.api.info.url}${location.pathname}${location.search}`);
    expect(callback.status).toBe(200);
    const done = await stack.waitForRun(parked.id);
    expect(done.status).toBe('succeeded');
    expect((await stack.prisma.tenant.findUniqueOrThrow({ where: { id: ids.get(2) } })).status).toBe('active');
    // Replaying the same callback is refused and starts nothing.
    const replay = await fetch(`${stack.api.info.url}${location.pathname}${location.search}`);
    expect(replay.status).toBe(409);
    expect(await stack.prisma.run.count({ where: { tenantId: ids.get(2) } })).toBe(1);
  });

  it('fails with an actionable hint when the VB365 organization is missing', async () => {
    const r = await run(3, { kind: 'onboard' });
    expect(r.status).toBe('failed');
    expect(r.errorCode).toBe('ORGANIZATION_NOT_FOUND');
    expect(r.errorHint).toMatch(/modern app-only authentication/);
    expect((await stack.prisma.tenant.findUniqueOrThrow({ where: { id: ids.get(3) } })).status).toBe('failed');
  });

  it('parks a tenant that keeps failing (circuit breaker); bulk work skips it until a retry', async () => {
    for (let k = 0; k < 2; k++) expect((await run(3, { kind: 'onboard' })).status).toBe('failed');
    const tenant = await stack.prisma.tenant.findUniqueOrThrow({ where: { id: ids.get(3) } });
    expect(tenant.consecutiveFailures).toBe(3);
    expect(tenant.parkedAt).not.toBeNull();
    const bulk = await stack.call<{ batchId: string }>('POST', '/v1/runs/bulk', { kind: 'resync', tenantIds: [ids.get(3)] });
    expect(bulk.status).toBe(202);
    let batch: { created: number; skipped: { reason: string }[] } | undefined;
    for (let k = 0; k < 50 && !batch?.skipped.length; k++) {
      await new Promise((r) => setTimeout(r, 200));
      batch = (await stack.call<typeof batch>('GET', `/v1/batches/${bulk.body.batchId}`)).body;
    }
    expect(batch).toMatchObject({ created: 0, skipped: [{ reason: expect.stringContaining('parked') }] });
    // A human retry un-parks it (the run still fails: the organization is still missing).
    const last = await stack.prisma.run.findFirstOrThrow({ where: { tenantId: ids.get(3) }, orderBy: { createdAt: 'desc' } });
    expect((await stack.call('POST', `/v1/runs/${last.id}/retry`)).status).toBe(202);
    await stack.waitForRun(last.id);
    expect((await stack.prisma.tenant.findUniqueOrThrow({ where: { id: ids.get(3) } })).consecutiveFailures).toBe(1);
  });

  it('starts exactly one run when two requests race for one tenant', async () => {
    const [a, b] = await Promise.all([start(5, { kind: 'onboard' }), start(5, { kind: 'onboard' })]);
    expect([a.status, b.status].sort()).toEqual([202, 409]);
    const winner = a.status === 202 ? a : b;
    expect((await stack.waitForRun(winner.body.id)).status).toBe('succeeded');
    expect(await stack.prisma.run.count({ where: { tenantId: ids.get(5) } })).toBe(1);
  });

  it('offboards: no grants, service principal or owned roles left behind', async () => {
    expect((await run(1, { kind: 'onboard' })).status).toBe('succeeded');
    expect(await vbRoles(1)).toHaveLength(1);
    const r = await run(1, { kind: 'offboard' });
    expect(r.status).toBe('succeeded');
    const st = await entraState(1);
    expect(st.servicePrincipals.find((s) => s.appId === stack.scenario.restorePortalAppId)).toBeUndefined();
    expect(st.grants.filter((g) => g.scope.includes('access_as_user') || g.scope.includes('User.Read'))).toEqual([]);
    expect(await vbRoles(1)).toEqual([]);
    expect(await stack.prisma.ownedVb365Role.count({ where: { tenantId: ids.get(1) } })).toBe(0);
    expect((await stack.prisma.tenant.findUniqueOrThrow({ where: { id: ids.get(1) } })).status).toBe('offboarded');
  });
});

import { RunningSimulator, startSimulator } from '@app/testing';
import { EntraClient } from './entra-client';
import { EntraClientOptions } from './entra-client.options';
import { AppsFixture, GRAPH_APP_ID, ORCHESTRATOR_PEM, SimState, SimStats, TenantOverrides, appsFixture, tenantSeed, totalWrites } from '../test/entra-sim.fixtures';

let sim: RunningSimulator;
let apps: AppsFixture;

const clientFor = (o: Partial<EntraClientOptions> = {}): EntraClient =>
  new EntraClient({
    authorityHost: sim.urls['identity']!,
    graphBaseUrl: sim.urls['graph']!,
    clientId: apps.orchestrator,
    certificatePath: ORCHESTRATOR_PEM,
    lruSize: 50,
    replication: { attempts: 6, initialDelayMs: 100 },
    ...o,
  });

async function newTenant(o: TenantOverrides = {}): Promise<{ id: string; domain: string }> {
  const t = tenantSeed(apps, o);
  await sim.admin('/_sim/seed', t.seed);
  return t;
}
const stats = async (tenantId: string) => (await sim.admin<SimStats>(`/_sim/stats?tenant=${tenantId}`)).tenants[tenantId]!;
const state = (tenantId: string) => sim.admin<SimState>(`/_sim/state/${tenantId}`);

beforeAll(async () => {
  sim = await startSimulator('entra-sim');
  const f = appsFixture();
  apps = f.apps;
  await sim.admin('/_sim/seed', f.seed);
});
afterAll(async () => sim?.stop());

/** The onboarding steps 2-3 of DESIGN.md, as the domain will call them. */
async function onboard(client: EntraClient, tenantId: string, plan = false) {
  const sp = await client.ensureServicePrincipal(tenantId, apps.restorePortal, { plan });
  const graphSp = (await client.findServicePrincipal(tenantId, GRAPH_APP_ID))!;
  if (!sp.value) return [...sp.changes];
  const g1 = await client.ensureDelegatedGrant(tenantId, sp.value.id, graphSp.id, ['User.Read'], { plan });
  const g2 = await client.ensureDelegatedGrant(tenantId, sp.value.id, sp.value.id, ['access_as_user'], { plan });
  return [...sp.changes, ...g1.changes, ...g2.changes];
}

function tenantWide(s: SimState, clientId: string, resourceId: string) {
  return s.grants.filter((g) => g.clientId === clientId && g.resourceId === resourceId && g.consentType === 'AllPrincipals');
}

describe('consent primitives against entra-sim', () => {
  it('onboards a fresh tenant with the certificate credential, and a second run writes nothing', async () => {
    const t = await newTenant();
    const client = clientFor();
    const first = await onboard(client, t.id);
    expect(first.map((c) => c.kind)).toEqual(['createServicePrincipal', 'createGrant', 'createGrant']);
    const afterFirst = await stats(t.id);
    expect(afterFirst.writes).toMatchObject({ servicePrincipalsCreated: 1, grantsCreated: 2 });

    const second = await onboard(client, t.id);
    expect(second).toEqual([]);
    expect(totalWrites((await stats(t.id)).writes)).toBe(totalWrites(afterFirst.writes));

    const s = await state(t.id);
    const rp = s.servicePrincipals.find((sp) => sp.appId === apps.restorePortal)!;
    expect(tenantWide(s, rp.id, s.graphServicePrincipalId).map((g) => g.scope)).toEqual(['User.Read']);
    expect(tenantWide(s, rp.id, rp.id).map((g) => g.scope)).toEqual(['access_as_user']);
    expect(s.audits.map((a) => a.activityDisplayName)).toEqual(expect.arrayContaining(['Add service principal', 'Add delegated permission grant']));
  });

  it('ensureDelegatedGrants lists the client\'s grants once for both resources and repairs each like ensureDelegatedGrant', async () => {
    // Graph grant narrower than wanted plus a duplicate; no self grant yet.
    const t = await newTenant({ servicePrincipals: [{ appId: apps.restorePortal }], grants: [{ clientAppId: apps.restorePortal, resourceAppId: GRAPH_APP_ID, scope: 'openid' }, { clientAppId: apps.restorePortal, resourceAppId: GRAPH_APP_ID, scope: 'profile' }] });
    const client = clientFor();
    const sp = (await client.findServicePrincipal(t.id, apps.restorePortal))!;
    const graphSp = (await client.findServicePrincipal(t.id, GRAPH_APP_ID))!;
    const wants = [
      { resourceSpId: graphSp.id, scopes: ['User.Read'] },
      { resourceSpId: sp.id, scopes: ['access_as_user'] },
    ];
    const before = (await stats(t.id)).requests;
    const [graph, self] = await client.ensureDelegatedGrants(t.id, sp.id, wants);
    expect(graph!.changes.map((c) => c.kind)).toEqual(['updateGrant', 'deleteGrant']);
    expect(self!.changes.map((c) => c.kind)).toEqual(['createGrant']);
    // One listing + PATCH + DELETE + POST (two separate ensure calls list twice).
    expect((await stats(t.id)).requests - before).toBe(4);
    const s = await state(t.id);
    expect(tenantWide(s, sp.id, graphSp.id).map((g) => g.scope.split(' ').sort())).toEqual([['User.Read', 'openid', 'profile'].sort()]);
    expect(tenantWide(s, sp.id, sp.id).map((g) => g.scope)).toEqual(['access_as_user']);

    const writes = totalWrites((await stats(t.id)).writes);
    const again = await client.ensureDelegatedGrants(t.id, sp.id, wants);
    expect(again.flatMap((r) => r.changes)).toEqual([]);
    expect(totalWrites((await stats(t.id)).writes)).toBe(writes);
    await expect(client.ensureDelegatedGrants(t.id, sp.id, [wants[0]!, wants[0]!])).rejects.toThrow(/distinct/);
  });

  it('plan mode reports the writes and makes none', async () => {
    const t = await newTenant({ servicePrincipals: [{ appId: apps.restorePortal }], grants: [{ clientAppId: apps.restorePortal, resourceAppId: GRAPH_APP_ID, scope: 'User.Read' }, { clientAppId: apps.restorePortal, resourceAppId: GRAPH_APP_ID, scope: 'openid' }] });
    const planned = await onboard(clientFor(), t.id, true);
    expect(planned.map((c) => [c.kind, c.applied])).toEqual([
      ['updateGrant', false],
      ['deleteGrant', false],
      ['createGrant', false],
    ]);
    expect(totalWrites((await stats(t.id)).writes)).toBe(0);
    const fresh = await newTenant();
    expect((await onboard(clientFor(), fresh.id, true)).map((c) => c.kind)).toEqual(['createServicePrincipal']);
    expect(totalWrites((await stats(fresh.id)).writes)).toBe(0);
  });

  it.each([
    ['SP without grants', [] as NonNullable<TenantOverrides['grants']>, { grantsCreated: 2 }],
    ['one of two grants', [{ clientAppId: 'RP', resourceAppId: GRAPH_APP_ID, scope: 'User.Read' }], { grantsCreated: 1 }],
    ['a narrower scope', [{ clientAppId: 'RP', resourceAppId: GRAPH_APP_ID, scope: 'openid' }, { clientAppId: 'RP', resourceAppId: 'RP', scope: 'access_as_user' }], { grantsUpdated: 1 }],
    ['duplicate grants', [{ clientAppId: 'RP', resourceAppId: GRAPH_APP_ID, scope: 'User.Read' }, { clientAppId: 'RP', resourceAppId: GRAPH_APP_ID, scope: 'User.Read' }, { clientAppId: 'RP', resourceAppId: 'RP', scope: 'access_as_user' }], { grantsDeleted: 1 }],
    ['a per-user grant beside the tenant-wide one', [{ clientAppId: 'RP', resourceAppId: GRAPH_APP_ID, scope: 'User.Read' }, { clientAppId: 'RP', resourceAppId: GRAPH_APP_ID, scope: 'Mail.Read', consentType: 'Principal' as const, principalId: '0b7a2c4e-0000-4000-a000-000000000001' }], { grantsCreated: 1 }],
  ])('repairs %s, then a second run writes nothing', async (_name, grants, expectedWrites) => {
    const resolved: NonNullable<TenantOverrides['grants']> = grants.map((g) => ({ ...g, clientAppId: apps.restorePortal, resourceAppId: g.resourceAppId === 'RP' ? apps.restorePortal : g.resourceAppId }));
    const t = await newTenant({ servicePrincipals: [{ appId: apps.restorePortal }], grants: resolved });
    const client = clientFor();
    await onboard(client, t.id);
    const after = await stats(t.id);
    expect(after.writes).toMatchObject({ servicePrincipalsCreated: 0, ...expectedWrites });
    expect(totalWrites(after.writes)).toBe(Object.values(expectedWrites).reduce((a, b) => a + b, 0));

    const s = await state(t.id);
    const rp = s.servicePrincipals.find((sp) => sp.appId === apps.restorePortal)!;
    const graphGrants = tenantWide(s, rp.id, s.graphServicePrincipalId);
    expect(graphGrants).toHaveLength(1);
    expect(graphGrants[0]!.scope.split(' ')).toContain('User.Read');
    expect(tenantWide(s, rp.id, rp.id).map((g) => g.scope)).toEqual(['access_as_user']);
    // Per-user grants are left alone.
    expect(s.grants.filter((g) => g.consentType === 'Principal')).toHaveLength(resolved.filter((g) => g.consentType === 'Principal').length);

    await onboard(client, t.id);
    expect(totalWrites((await stats(t.id)).writes)).toBe(totalWrites(after.writes));
  });

  it('ensureAppRoleAssignment and the revoke counterparts are idempotent', async () => {
    const t = await newTenant();
    const client = clientFor();
    const sp = (await client.ensureServicePrincipal(t.id, apps.restorePortal)).value!;
    const graphSp = (await client.findServicePrincipal(t.id, GRAPH_APP_ID))!;
    const roleId = '7ab1d382-f21e-4acd-a863-ba3e13f7da61';
    expect((await client.ensureAppRoleAssignment(t.id, sp.id, graphSp.id, roleId)).changes).toHaveLength(1);
    expect((await client.ensureAppRoleAssignment(t.id, sp.id, graphSp.id, roleId)).changes).toEqual([]);
    expect((await stats(t.id)).writes.appRoleAssignmentsCreated).toBe(1);

    await client.ensureDelegatedGrant(t.id, sp.id, graphSp.id, ['User.Read', 'openid']);
    expect((await client.revokeDelegatedGrant(t.id, sp.id, graphSp.id, ['openid'])).changes.map((c) => c.kind)).toEqual(['updateGrant']);
    expect((await client.revokeDelegatedGrant(t.id, sp.id, graphSp.id)).changes.map((c) => c.kind)).toEqual(['deleteGrant']);
    expect((await client.revokeDelegatedGrant(t.id, sp.id, graphSp.id)).changes).toEqual([]);
    expect((await client.removeAppRoleAssignment(t.id, sp.id, graphSp.id, roleId)).changes).toHaveLength(1);
    expect((await client.removeAppRoleAssignment(t.id, sp.id, graphSp.id, roleId)).changes).toEqual([]);
    expect((await client.removeServicePrincipal(t.id, apps.restorePortal, { plan: true })).changes[0]).toMatchObject({ kind: 'deleteServicePrincipal', applied: false });
    expect((await client.removeServicePrincipal(t.id, apps.restorePortal)).changes).toHaveLength(1);
    expect((await client.removeServicePrincipal(t.id, apps.restorePortal)).changes).toEqual([]);
    expect((await stats(t.id)).writes).toMatchObject({ grantsUpdated: 1, grantsDeleted: 1, appRoleAssignmentsDeleted: 1, servicePrincipalsDeleted: 1 });
    const consent = await client.readConsentState(t.id, apps.restorePortal);
    expect(consent).toMatchObject({ servicePrincipal: null, graphServicePrincipalId: graphSp.id });
  });

  it('resolves replication lag and writes that applied but answered 404 by re-reading, without duplicates', async () => {
    const t = await newTenant();
    await sim.admin('/_sim/faults', { tenants: { [t.id]: { replicationLagMs: 300, writeAppliedButNotFoundRate: 1 } } }, 'PUT');
    const client = clientFor();
    await client.readOrganization(t.id);
    const changes = await onboard(client, t.id);
    expect(changes.map((c) => c.kind)).toEqual(['createServicePrincipal', 'createGrant', 'createGrant']);
    await sim.admin('/_sim/faults', {}, 'PUT');
    const s = await state(t.id);
    expect(s.servicePrincipals.filter((sp) => sp.appId === apps.restorePortal)).toHaveLength(1);
    expect(s.grants).toHaveLength(2);
    expect((await stats(t.id)).writes).toMatchObject({ servicePrincipalsCreated: 1, grantsCreated: 2 });
  });

  it('two concurrent runs create one service principal (409 resolved by re-reading)', async () => {
    const t = await newTenant();
    const [a, b] = await Promise.all([clientFor().ensureServicePrincipal(t.id, apps.restorePortal), clientFor().ensureServicePrincipal(t.id, apps.restorePortal)]);
    expect(a.value!.id).toBe(b.value!.id);
    expect((await stats(t.id)).writes.servicePrincipalsCreated).toBe(1);
  });

  it('reads consent state and organization with the secret credential', async () => {
    const t = await newTenant();
    const client = clientFor({ certificatePath: undefined, clientSecret: apps.secret });
    const org = await client.readOrganization(t.id);
    expect(org).toMatchObject({ id: t.id, verifiedDomains: [expect.objectContaining({ name: t.domain })] });
    const consent = await client.readConsentState(t.domain, apps.orchestrator);
    expect(consent.servicePrincipal?.appId).toBe(apps.orchestrator);
    expect(consent.appRoleAssignments.length).toBeGreaterThanOrEqual(5);
  });
});

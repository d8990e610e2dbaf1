import { RunningSimulator, startSimulator } from '@app/testing';
import { DirectoryAudit } from './directory-audit.ops';
import { EntraClient } from './entra-client';
import { EntraError } from './entra.errors';
import { AppsFixture, GRAPH_APP_ID, ORCHESTRATOR_PEM, appsFixture, tenantSeed } from '../test/entra-sim.fixtures';

let sim: RunningSimulator;
let apps: AppsFixture;

const client = (): EntraClient =>
  new EntraClient({ authorityHost: sim.urls['identity']!, graphBaseUrl: sim.urls['graph']!, clientId: apps.orchestrator, certificatePath: ORCHESTRATOR_PEM, lruSize: 10 });

async function all(c: EntraClient, tenantId: string, window: Parameters<EntraClient['listDirectoryAudits']>[1]): Promise<DirectoryAudit[][]> {
  const pages: DirectoryAudit[][] = [];
  for await (const page of c.listDirectoryAudits(tenantId, window)) pages.push(page);
  return pages;
}

beforeAll(async () => {
  sim = await startSimulator('entra-sim');
  const f = appsFixture();
  apps = f.apps;
  await sim.admin('/_sim/seed', f.seed);
});
afterAll(async () => sim?.stop());

describe('EntraClient.listDirectoryAudits against entra-sim', () => {
  it('pages parsed audits newest first and filters on activityDateTime', async () => {
    const t = tenantSeed(apps, {});
    await sim.admin('/_sim/seed', t.seed);
    const c = client();
    const before = new Date();
    const sp = await c.ensureServicePrincipal(t.id, apps.restorePortal);
    const graphSp = (await c.findServicePrincipal(t.id, GRAPH_APP_ID))!;
    await new Promise((r) => setTimeout(r, 20));
    const middle = new Date();
    await c.ensureDelegatedGrant(t.id, sp.value!.id, graphSp.id, ['User.Read']);
    await c.ensureDelegatedGrant(t.id, sp.value!.id, sp.value!.id, ['access_as_user']);

    const pages = await all(c, t.id, { since: before, pageSize: 2 });
    expect(pages.length).toBeGreaterThanOrEqual(2); // followed @odata.nextLink
    const audits = pages.flat();
    expect(audits.map((a) => a.activityDisplayName)).toEqual(['Add delegated permission grant', 'Add delegated permission grant', 'Add service principal']);
    expect(audits[2]!.targetResources[0]).toMatchObject({ id: sp.value!.id, type: 'ServicePrincipal' });
    expect(audits[0]!.initiatedBy?.app?.appId).toBe(apps.orchestrator);

    const later = (await all(c, t.id, { since: middle })).flat();
    expect(later.map((a) => a.activityDisplayName)).toEqual(['Add delegated permission grant', 'Add delegated permission grant']);
    const earlier = (await all(c, t.id, { since: before, until: middle })).flat();
    expect(earlier.map((a) => a.activityDisplayName)).toEqual(['Add service principal']);
  });

  it('surfaces the identity-reports limit (5 requests per 10 s) as THROTTLED with Retry-After', async () => {
    const t = tenantSeed(apps, {});
    await sim.admin('/_sim/seed', t.seed);
    await sim.admin('/_sim/faults', { tenants: { [t.id]: { tokenBucket: { enabled: true, auditRequestsPer10s: 2 } } } }, 'PUT');
    const c = client();
    let err: unknown;
    try {
      for (let i = 0; i < 5; i++) await all(c, t.id, {});
    } catch (e) {
      err = e;
    } finally {
      await sim.admin('/_sim/faults', {}, 'PUT');
    }
    expect(err).toBeInstanceOf(EntraError);
    expect((err as EntraError).code).toBe('THROTTLED');
    expect((err as EntraError).retryAfterMs).toBeGreaterThan(0);
  });
});

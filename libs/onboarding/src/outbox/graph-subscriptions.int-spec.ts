import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { parseConfig } from '@app/config';
import { PrismaService, SecretStore } from '@app/db';
import { verifyGraphClientState } from '@app/security';
import { buildScenario, createTestDatabase, RunningSimulator, startSimulator, TestDatabase } from '@app/testing';
import { OutsideClients } from '../clients/clients.module';
import { GraphSubscriptions } from './graph-subscriptions.service';

/**
 * Per-tenant Graph subscriptions against entra-sim with the real Entra client: created for the groups declared
 * roles use (after the simulator's validation handshake with our endpoint), idempotent, renewed when due,
 * removed when no longer used; a group change then reaches the endpoint with a clientState naming the tenant.
 * A small local server stands in for the api's /v1/graph/notifications (tested on its own in apps/api).
 */
describe('GraphSubscriptions', () => {
  let db: TestDatabase;
  let entra: RunningSimulator;
  let prisma: PrismaService;
  let clients: OutsideClients;
  let subs: GraphSubscriptions;
  let secrets: SecretStore;
  let endpoint: Server;
  const notifications: { clientState: string; resource: string }[] = [];
  const scenario = buildScenario({ tenants: 1, seed: 'graph-subs', preconsented: [0], redirectUri: 'http://127.0.0.1:3000/v1/consent/callback' });
  const groupIds = ((scenario.entraSeed['tenants'] as { groups: { id: string }[] }[])[0]!.groups).map((g) => g.id);
  let tenantId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    entra = await startSimulator('entra-sim');
    await entra.admin('/_sim/seed', scenario.entraSeed, 'POST', 'identity');
    endpoint = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        const token = url.searchParams.get('validationToken');
        if (token !== null) return void res.writeHead(200, { 'content-type': 'text/plain' }).end(token);
        notifications.push(...(JSON.parse(body) as { value: { clientState: string; resource: string }[] }).value);
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((r) => endpoint.listen(0, '127.0.0.1', r));
    const config = parseConfig({
      DATABASE_URL: db.url,
      PUBLIC_BASE_URL: `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}`,
      ENTRA_AUTHORITY_HOST: entra.urls['identity']!,
      GRAPH_BASE_URL: entra.urls['graph']!,
      ORCHESTRATOR_APP_ID: scenario.orchestratorAppId,
      ORCHESTRATOR_CERT_PATH: scenario.orchestratorCertPath,
      RESTORE_PORTAL_APP_ID: scenario.restorePortalAppId,
    });
    prisma = new PrismaService(config);
    clients = await OutsideClients.create(config, prisma);
    secrets = new SecretStore(prisma, config);
    subs = new GraphSubscriptions(prisma, clients, secrets, config);
    const t = scenario.tenants[0]!;
    tenantId = (await prisma.tenant.create({ data: { displayName: t.displayName, entraTenantId: t.entraTenantId, status: 'active' } })).id;
  }, 60_000);

  afterAll(async () => {
    await clients?.onApplicationShutdown();
    await prisma?.$disconnect();
    await entra?.stop();
    await new Promise((r) => endpoint?.close(r));
    await db?.drop();
  });

  const graphRequests = async () =>
    (await entra.admin<{ tenants: Record<string, { requests: number }> }>(`/_sim/stats?tenant=${scenario.tenants[0]!.entraTenantId}`)).tenants[scenario.tenants[0]!.entraTenantId]!.requests;
  const change = (groupId: string) =>
    entra.admin<{ deliveries: { status: number | string }[] }>(`/_sim/groups/${scenario.tenants[0]!.entraTenantId}/${groupId}/change`, {}, 'POST', 'graph');

  it('subscribes to the groups declared roles use (object ids), once; notifications name the tenant', async () => {
    await prisma.roleSpec.create({
      data: {
        tenantId,
        name: 'Helpdesk restores',
        scope: 'specific_objects',
        operators: [{ kind: 'group', ref: groupIds[0] }, { kind: 'user', ref: 'someone@example.com' }],
        selectedItems: [{ kind: 'group', ref: groupIds[1]!.toUpperCase() }, { kind: 'group', ref: 'Finance' }],
        excludedItems: [],
      },
    });
    expect(await subs.desiredGroups(tenantId)).toEqual([groupIds[0], groupIds[1]].map((g) => g!.toLowerCase()).sort());
    expect(await subs.syncTenant(tenantId)).toEqual({ created: 2, renewed: 0, deleted: 0 });
    const before = await graphRequests();
    expect(await subs.syncTenant(tenantId)).toEqual({ created: 0, renewed: 0, deleted: 0 });
    expect(await graphRequests()).toBe(before);

    const { deliveries } = await change(groupIds[0]!);
    expect(deliveries).toEqual([{ subscriptionId: expect.any(String), status: 202 }]);
    expect(verifyGraphClientState(secrets.derivedKey('graph-client-state'), notifications[0]!.clientState)).toBe(tenantId);
  });

  it('renews subscriptions due within a day and re-creates ones Graph no longer has', async () => {
    const [a, b] = await prisma.graphSubscription.findMany({ orderBy: { groupId: 'asc' } });
    await prisma.graphSubscription.update({ where: { id: a!.id }, data: { expiresAt: new Date(Date.now() + 3600_000) } });
    // b vanished on Graph's side (expired and purged): renewal answers 404 and the subscription is made again.
    await clients.entraClient().deleteSubscription(scenario.tenants[0]!.entraTenantId, b!.id);
    await prisma.graphSubscription.update({ where: { id: b!.id }, data: { expiresAt: new Date(Date.now() + 3600_000) } });
    expect(await subs.syncTenant(tenantId)).toEqual({ created: 1, renewed: 1, deleted: 0 });
    const rows = await prisma.graphSubscription.findMany();
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.expiresAt.getTime() > Date.now() + 2 * 24 * 3600_000)).toBe(true);
  });

  it('removes subscriptions that are no longer used, and all of an excluded tenant', async () => {
    await prisma.roleSpec.updateMany({ where: { tenantId }, data: { selectedItems: [] } });
    expect(await subs.syncTenant(tenantId)).toEqual({ created: 0, renewed: 0, deleted: 1 });
    expect((await change(groupIds[1]!)).deliveries).toEqual([]);
    await prisma.tenant.update({ where: { id: tenantId }, data: { excluded: true } });
    expect(await subs.tick()).toMatchObject({ deleted: 1, failed: 0 });
    expect(await prisma.graphSubscription.count()).toBe(0);
    expect((await change(groupIds[0]!)).deliveries).toEqual([]);
  });
});

import { randomUUID } from 'node:crypto';
import { AddressInfo } from 'node:net';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@app/config';
import { PrismaService, SecretStore } from '@app/db';
import { JobProducer } from '@app/jobs';
import { graphClientState } from '@app/security';
import { createTestDatabase, deleteQueueKeys, RunningSimulator, startSimulator, TestDatabase, testQueuePrefix } from '@app/testing';
import { createApiApp } from '../bootstrap';

/**
 * Graph change notifications against entra-sim: subscription creation performs the validationToken handshake
 * with the product endpoint, a changed group is notified, the product checks clientState and enqueues that
 * tenant's sync (drift checks); forged clientState is dropped; renew and delete.
 */
describe('Graph change notifications (entra-sim /subscriptions → POST /v1/graph/notifications)', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let prisma: PrismaService;
  let entra: RunningSimulator;
  let apiUrl: string;
  let token: string;
  let tenantId: string;
  const prefix = testQueuePrefix();
  const appId = randomUUID();
  const entraTenantId = randomUUID();
  const groupId = randomUUID();
  const secret = `sim-secret-${randomUUID()}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    process.env.DATABASE_URL = db.url;
    process.env.QUEUE_PREFIX = prefix;
    process.env.LOG_LEVEL = 'silent';
    app = await createApiApp(loadConfig());
    await app.listen(0, '127.0.0.1');
    apiUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    prisma = app.get(PrismaService);
    entra = await startSimulator('entra-sim');
    await entra.admin(
      '/_sim/seed',
      {
        apps: [{ appId, displayName: 'Orchestrator', secret, requiredAppRoles: ['Group.Read.All'] }],
        tenants: [{ id: entraTenantId, domain: 'contoso.example', consentedApps: [appId], groups: [{ id: groupId, displayName: 'Restore operators' }] }],
      },
      'POST',
      'identity',
    );
    tenantId = (await prisma.tenant.create({ data: { displayName: 'Contoso', entraTenantId, status: 'active' } })).id;
    const res = await fetch(`${entra.urls['identity']}/${entraTenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: appId, client_secret: secret, grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default' }),
    });
    token = ((await res.json()) as { access_token: string }).access_token;
  }, 60_000);

  afterAll(async () => {
    await entra?.stop();
    await app?.close();
    await deleteQueueKeys(loadConfig().redis.url, prefix);
    await db?.drop();
  });

  const graph = (method: string, path: string, body?: object) =>
    fetch(`${entra.urls['graph']}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body && JSON.stringify(body),
    });
  const clientState = (id: string) => graphClientState(app.get(SecretStore, { strict: false }).derivedKey('graph-client-state'), id);
  const subscribe = (state: string, notificationUrl = `${apiUrl}/v1/graph/notifications`) =>
    graph('POST', '/v1.0/subscriptions', {
      changeType: 'updated',
      notificationUrl,
      resource: `/groups/${groupId}`,
      expirationDateTime: new Date(Date.now() + 3600_000).toISOString(),
      clientState: state,
    });
  const change = () => entra.admin(`/_sim/groups/${entraTenantId}/${groupId}/change`, {}, 'POST', 'graph') as Promise<{ deliveries: { subscriptionId: string; status: number | string }[] }>;
  const syncJobs = async () =>
    (await app.get(JobProducer).queue('audit').getJobs(['waiting', 'delayed', 'prioritized', 'active'])).filter((j) => j.name === 'audit.sync-tenant');

  it('answers the validation handshake (200 text/plain, the token) so the subscription is created', async () => {
    const direct = await fetch(`${apiUrl}/v1/graph/notifications?validationToken=${encodeURIComponent('Validation: a b+c')}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '' });
    expect(direct.status).toBe(200);
    expect(direct.headers.get('content-type')).toContain('text/plain');
    expect(await direct.text()).toBe('Validation: a b+c');

    const res = await subscribe(clientState(tenantId));
    expect(res.status).toBe(201);
    // An endpoint that does not echo the token fails Graph's validation.
    const bad = await subscribe(clientState(tenantId), `${apiUrl}/health/live`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('ValidationError');
  });

  it('a group change triggers one tenant sync; forged clientState is recorded and dropped', async () => {
    const forged = await subscribe(`${tenantId}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`);
    expect(forged.status).toBe(201);
    const { deliveries } = await change();
    expect(deliveries.map((d) => d.status)).toEqual([202, 202]);
    const jobs = await syncJobs();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.data).toMatchObject({ tenantId });
    expect(await prisma.activityLog.count({ where: { action: 'graph.notification', tenantId } })).toBe(1);
    expect(await prisma.activityLog.count({ where: { action: 'graph.notification_rejected' } })).toBe(1);
    // A burst within the coalescing window does not queue more syncs.
    await change();
    expect(await syncJobs()).toHaveLength(1);
    expect((await graph('DELETE', `/v1.0/subscriptions/${((await forged.json()) as { id: string }).id}`)).status).toBe(204);
  });

  it('renews and deletes subscriptions; deleted or expired ones are not notified', async () => {
    const list = (await (await graph('GET', '/v1.0/subscriptions')).json()) as { value: { id: string }[] };
    expect(list.value).toHaveLength(1);
    const id = list.value[0]!.id;
    const renewed = await graph('PATCH', `/v1.0/subscriptions/${id}`, { expirationDateTime: new Date(Date.now() + 2 * 24 * 3600_000).toISOString() });
    expect(renewed.status).toBe(200);
    const tooLong = await graph('PATCH', `/v1.0/subscriptions/${id}`, { expirationDateTime: new Date(Date.now() + 40 * 24 * 3600_000).toISOString() });
    expect(tooLong.status).toBe(400);
    expect((await graph('DELETE', `/v1.0/subscriptions/${id}`)).status).toBe(204);
    expect((await change()).deliveries).toEqual([]);
  });

  it('refuses malformed notification bodies with problem+json', async () => {
    const res = await fetch(`${apiUrl}/v1/graph/notifications`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ value: 'x' }) });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });
});

import { randomUUID } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@app/config';
import { issueApiKey, PrismaService } from '@app/db';
import { createTestDatabase, deleteQueueKeys, TestDatabase, testQueuePrefix } from '@app/testing';
import { createApiApp } from '../bootstrap';

interface Entry {
  action: string;
  actor: string;
  actorKeyId: string | null;
  clientIp: string | null;
  correlationId: string | null;
  tenantId: string | null;
}

/**
 * Issue 8: every activity row written because of an API call records the API key id, the client IP and the
 * correlation id, whichever route and service wrote it; X-Forwarded-For counts only from proxies TRUST_PROXY names.
 */
describe('activity rows carry the request context', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let proxied: NestFastifyApplication;
  let prisma: PrismaService;
  const prefix = testQueuePrefix();
  let key: { id: string; key: string };

  beforeAll(async () => {
    db = await createTestDatabase();
    Object.assign(process.env, { DATABASE_URL: db.url, QUEUE_PREFIX: prefix, LOG_LEVEL: 'silent', ORCHESTRATOR_APP_ID: randomUUID() });
    const config = loadConfig();
    expect(config.api.trustProxy).toBe(false); // the default
    app = await createApiApp(config);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    // A second api process behind a proxy at 10.0.0.0/8, on the same database.
    proxied = await createApiApp({ ...config, api: { ...config.api, trustProxy: '10.0.0.0/8' } });
    await proxied.init();
    await proxied.getHttpAdapter().getInstance().ready();
    prisma = app.get(PrismaService);
    const issued = await issueApiKey(prisma, { name: 'portal-backend', scopes: ['admin'], tenantTags: [] });
    key = { id: issued.id, key: issued.key };
  });

  afterAll(async () => {
    await proxied?.close();
    await app?.close();
    await deleteQueueKeys(loadConfig().redis.url, prefix);
    await db?.drop();
  });

  const call = async (
    target: NestFastifyApplication,
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    opts: { payload?: object; requestId: string; remoteAddress: string; forwardedFor?: string },
  ) => {
    const res = await target.inject({
      method,
      url,
      remoteAddress: opts.remoteAddress,
      headers: {
        authorization: `Bearer ${key.key}`,
        'x-request-id': opts.requestId,
        ...(opts.forwardedFor ? { 'x-forwarded-for': opts.forwardedFor } : {}),
      },
      ...(opts.payload ? { payload: opts.payload } : {}),
    });
    expect(res.statusCode).toBeLessThan(300);
    return res.json<Record<string, unknown>>();
  };
  const activity = async (correlationId: string): Promise<Entry[]> =>
    (await call(app, 'GET', `/v1/activity?correlationId=${correlationId}`, { requestId: `read-${correlationId}`, remoteAddress: '127.0.0.1' }))['items'] as Entry[];

  it('tenants, consent, roles, templates, runs, bulk runs and webhook subscriptions: key id, client IP, correlation id on every row', async () => {
    const ip = '192.0.2.10';
    const req = (n: string) => ({ requestId: `ctx-${n}-${randomUUID().slice(0, 8)}`, remoteAddress: ip });
    const steps: { id: string; action: string }[] = [];
    const step = async (action: string, method: 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'GET', url: string, payload?: object) => {
      const r = req(action.replace(/\W/g, '-'));
      const body = await call(app, method, url, { ...r, payload });
      steps.push({ id: r.requestId, action });
      return body;
    };
    const tenant = await step('tenant.created', 'POST', '/v1/tenants', { entraTenantId: randomUUID(), displayName: 'Contoso', consentMode: 'preconsented' });
    const tenantId = tenant['id'] as string;
    const runId = (tenant['run'] as { id: string }).id;
    await step('tenant.updated', 'PATCH', `/v1/tenants/${tenantId}`, { tags: ['emea'] });
    await step('role-template.saved', 'PUT', '/v1/role-templates/Helpdesk', {
      description: 'Whole organization',
      scope: 'entire-organization',
      operators: [{ group: '{tenant.displayName} Helpdesk' }],
    });
    await step('roles.declared', 'PUT', `/v1/tenants/${tenantId}/restore-operator-roles`, {
      roles: [{ name: 'HR restore', scope: 'entire-organization', operators: [{ user: 'alice@contoso.example' }] }],
    });
    await step('run.cancel_requested', 'POST', `/v1/runs/${runId}/cancel`);
    await step('batch.requested', 'POST', '/v1/runs/bulk', { kind: 'onboard', tag: 'no-such-tag', dryRun: true });
    await step('subscription.created', 'POST', '/v1/webhook-subscriptions', { url: 'https://portal.example/hooks', events: ['run.succeeded'] });
    const other = await step('tenant.created (2)', 'POST', '/v1/tenants', { entraTenantId: randomUUID(), displayName: 'Fabrikam' });
    await step('consent.link_issued', 'GET', `/v1/tenants/${other['id'] as string}/consent-link`);
    await step('tenant.deleted', 'DELETE', `/v1/tenants/${other['id'] as string}`);

    for (const s of steps) {
      const rows = await activity(s.id);
      expect({ step: s.action, rows: rows.length > 0 }).toEqual({ step: s.action, rows: true });
      for (const row of rows) {
        expect({ step: s.action, action: row.action, actorKeyId: row.actorKeyId, clientIp: row.clientIp, correlationId: row.correlationId }).toEqual({
          step: s.action,
          action: row.action,
          actorKeyId: key.id,
          clientIp: ip,
          correlationId: s.id,
        });
        // The readable name stays; a change the request completes on the engine's behalf (a queued run cancelled at
        // once) is the engine's row, still carrying the request's context.
        expect(row.actor).toBe(row.action === 'run.cancelled' ? 'worker' : 'portal-backend');
      }
    }
    const actions = (await Promise.all(steps.map((s) => activity(s.id)))).flat().map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['tenant.created', 'run.requested', 'tenant.updated', 'role-template.saved', 'run.cancel_requested', 'batch.requested', 'consent.link_issued', 'tenant.deleted']));
    // Filterable by key id.
    const byKey = (await call(app, 'GET', `/v1/activity?actorKeyId=${key.id}&limit=500`, { requestId: 'by-key', remoteAddress: ip }))['items'] as Entry[];
    expect(byKey.length).toBe(actions.length);
  });

  it('X-Forwarded-For is ignored by default and believed only from a trusted proxy', async () => {
    const direct = { requestId: `xff-direct-${randomUUID().slice(0, 8)}`, remoteAddress: '198.51.100.7', forwardedFor: '203.0.113.99' };
    await call(app, 'POST', '/v1/tenants', { ...direct, payload: { entraTenantId: randomUUID(), displayName: 'Direct' } });
    expect((await activity(direct.requestId)).map((r) => r.clientIp)).toEqual(['198.51.100.7']);

    const viaProxy = { requestId: `xff-proxy-${randomUUID().slice(0, 8)}`, remoteAddress: '10.1.2.3', forwardedFor: '203.0.113.99' };
    await call(proxied, 'POST', '/v1/tenants', { ...viaProxy, payload: { entraTenantId: randomUUID(), displayName: 'Proxied' } });
    expect((await activity(viaProxy.requestId)).map((r) => r.clientIp)).toEqual(['203.0.113.99']);

    // The same header from an address outside TRUST_PROXY is not believed.
    const spoofed = { requestId: `xff-spoof-${randomUUID().slice(0, 8)}`, remoteAddress: '198.51.100.8', forwardedFor: '203.0.113.99' };
    await call(proxied, 'POST', '/v1/tenants', { ...spoofed, payload: { entraTenantId: randomUUID(), displayName: 'Spoofed' } });
    expect((await activity(spoofed.requestId)).map((r) => r.clientIp)).toEqual(['198.51.100.8']);
  });

  it('rows written outside a request (worker, scheduler) get nothing made up', async () => {
    const row = await prisma.activityLog.create({ data: { actor: 'worker', action: 'test.outside-request' } });
    expect(row).toMatchObject({ clientIp: null, correlationId: null, details: {} });
  });
});

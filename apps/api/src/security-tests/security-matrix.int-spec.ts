import { randomUUID } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@app/config';
import { PrismaService } from '@app/db';
import { deleteQueueKeys, issueTestApiKey, TestDatabase, testQueuePrefix } from '@app/testing';
import { startInProcessApi } from '../test-support/in-process-api';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
interface Route {
  method: Method;
  path: string;
}

/**
 * Every route of the OpenAPI document × (no key, wrong scope, key restricted to other tenants). Routes come from /docs-json, so a new route is covered without editing this file.
 */
describe('security matrix', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let prisma: PrismaService;
  const prefix = testQueuePrefix();
  let routes: Route[];
  const keys: Record<string, string> = {};
  let hidden: { tenantId: string; displayName: string; runId: string; batchId: string };

  beforeAll(async () => {
    ({ app, db, prisma } = await startInProcessApi({ QUEUE_PREFIX: prefix }));
    keys['auditOnly'] = (await issueTestApiKey(prisma, { name: 'audit-only', scopes: ['audit:read'] })).key;
    keys['readOnly'] = (await issueTestApiKey(prisma, { name: 'read-only', scopes: ['tenants:read'] })).key;
    // Every scope, but restricted to tenants tagged "us": the "emea" tenant below must be invisible to it.
    keys['otherTenants'] = (await issueTestApiKey(prisma, { name: 'us-admin', scopes: ['admin'], tenantTags: ['us'] })).key;
    const displayName = `Hidden-${randomUUID()}`;
    const t = await prisma.tenant.create({ data: { displayName, entraTenantId: randomUUID(), tags: ['emea'], status: 'active' } });
    const batch = await prisma.batch.create({ data: { kind: 'resync', requestedBy: 'x', selection: { tenantIds: [t.id], scopeTags: ['emea'] }, total: 1 } });
    const run = await prisma.run.create({
      data: { tenantId: t.id, kind: 'resync', correlationId: 'c', requestedBy: 'x', status: 'failed', batchId: batch.id },
    });
    hidden = { tenantId: t.id, displayName, runId: run.id, batchId: batch.id };
    const doc = (await app.inject({ method: 'GET', url: '/docs-json' })).json<{ paths: Record<string, Record<string, unknown>> }>();
    routes = Object.entries(doc.paths)
      .filter(([p]) => p.startsWith('/v1/'))
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => ({ method: m.toUpperCase() as Method, path })));
  });

  afterAll(async () => {
    await app?.close();
    await deleteQueueKeys(loadConfig().redis.url, prefix);
    await db?.drop();
  });

  /** Fills path parameters with the hidden tenant's objects (ids of other kinds get a fresh uuid). */
  function url(path: string): string {
    return path.replace(/\{(\w+)\}/g, (_, name: string) => {
      if (path.startsWith('/v1/tenants/{')) return hidden.tenantId;
      if (path.startsWith('/v1/runs/{')) return hidden.runId;
      if (path.startsWith('/v1/batches/{')) return hidden.batchId;
      return name === 'name' ? 'some-template' : randomUUID();
    });
  }

  const call = (r: Route, key?: string) =>
    app.inject({
      method: r.method,
      url: url(r.path),
      headers: key ? { authorization: `Bearer ${key}` } : {},
      ...(['POST', 'PUT', 'PATCH'].includes(r.method) ? { payload: {} } : {}),
    });

  it('covers a meaningful number of routes', () => {
    expect(routes.length).toBeGreaterThan(20);
  });

  it('answers 401 problem+json on every route without a key', async () => {
    for (const r of routes) {
      const res = await call(r);
      expect([`${r.method} ${r.path}`, res.statusCode]).toEqual([`${r.method} ${r.path}`, 401]);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
  });

  it('answers 403 naming the scope on every route for a key without that scope', async () => {
    for (const r of routes) {
      let res = await call(r, keys['auditOnly']);
      if (res.statusCode !== 403) res = await call(r, keys['readOnly']);
      expect([`${r.method} ${r.path}`, res.statusCode]).toEqual([`${r.method} ${r.path}`, 403]);
      expect(res.json<{ requiredScope: string }>().requiredScope).toBeTruthy();
    }
  });

  it("never shows or changes another tenant's data to a key restricted to other tenants", async () => {
    const before = await prisma.tenant.findUniqueOrThrow({ where: { id: hidden.tenantId } });
    const activityBefore = await prisma.activityLog.count({ where: { tenantId: hidden.tenantId } });
    const runsBefore = await prisma.run.count({ where: { tenantId: hidden.tenantId } });
    for (const r of routes) {
      const res = await call(r, keys['otherTenants']);
      const label = `${r.method} ${r.path} → ${res.statusCode}`;
      expect([label, res.statusCode < 500]).toEqual([label, true]);
      expect([label, res.body.includes(hidden.displayName)]).toEqual([label, false]);
      if (/\/v1\/(tenants|runs|batches)\/\{/.test(r.path)) {
        // Tenant-bound routes: not found (or the body was refused first), never a success.
        expect([label, [400, 404].includes(res.statusCode)]).toEqual([label, true]);
      }
    }
    expect(await prisma.tenant.findUniqueOrThrow({ where: { id: hidden.tenantId } })).toEqual(before);
    expect(await prisma.activityLog.count({ where: { tenantId: hidden.tenantId } })).toBe(activityBefore);
    expect(await prisma.run.count({ where: { tenantId: hidden.tenantId } })).toBe(runsBefore);
  });
});

import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@app/config';
import { issueApiKey, PrismaService } from '@app/db';
import { deleteQueueKeys, TestDatabase, testQueuePrefix } from '@app/testing';
import { startInProcessApi } from '../test-support/in-process-api';

/** API keys, scopes and tag-restricted keys against a real Postgres, through the real HTTP stack (inject). */
describe('API authentication and tenant scoping', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let prisma: PrismaService;
  const prefix = testQueuePrefix();
  const keys: Record<string, string> = {};
  const tenantIds: Record<string, string> = {};

  beforeAll(async () => {
    ({ app, db, prisma } = await startInProcessApi({ QUEUE_PREFIX: prefix }));
    const mk = async (name: string, scopes: string[], tenantTags: string[] = []) =>
      (keys[name] = (await issueApiKey(prisma, { name, scopes, tenantTags })).key);
    await mk('reader', ['tenants:read']);
    await mk('writer', ['tenants:write']);
    await mk('emea', ['tenants:read'], ['emea']);
    await mk('admin', ['admin']);
    for (const [name, tags] of [['Contoso', ['emea']], ['Fabrikam', ['us']], ['Northwind', ['emea', 'gold']]] as const) {
      tenantIds[name] = (await prisma.tenant.create({ data: { displayName: name, tags: [...tags] } })).id;
    }
  });

  afterAll(async () => {
    await app?.close();
    await deleteQueueKeys(loadConfig().redis.url, prefix);
    await db?.drop();
  });

  const get = (url: string, key?: string) =>
    app.inject({ method: 'GET', url, headers: key ? { authorization: `Bearer ${key}` } : {} });

  it('answers 401 problem+json without a key or with a forged one', async () => {
    for (const key of [undefined, 'ok_00000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'garbage']) {
      const res = await get('/v1/tenants', key);
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
    }
  });

  it('answers 403 naming the missing scope', async () => {
    const res = await get('/v1/tenants', keys['writer']);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'FORBIDDEN', requiredScope: 'tenants:read' });
  });

  it('lists every tenant for an unrestricted key and only tagged ones for a restricted key', async () => {
    const all = (await get('/v1/tenants', keys['reader'])).json<{ items: { displayName: string }[] }>();
    expect(all.items.map((t) => t.displayName).sort()).toEqual(['Contoso', 'Fabrikam', 'Northwind']);
    const emea = (await get('/v1/tenants', keys['emea'])).json<{ items: { displayName: string }[] }>();
    expect(emea.items.map((t) => t.displayName).sort()).toEqual(['Contoso', 'Northwind']);
    // Filters cannot widen the restriction.
    const us = (await get('/v1/tenants?tag=us', keys['emea'])).json<{ items: unknown[] }>();
    expect(us.items).toEqual([]);
  });

  it('answers 404 for a tenant outside the key restriction, 200 inside', async () => {
    expect((await get(`/v1/tenants/${tenantIds['Fabrikam']}`, keys['emea'])).statusCode).toBe(404);
    expect((await get(`/v1/tenants/${tenantIds['Contoso']}`, keys['emea'])).statusCode).toBe(200);
    expect((await get(`/v1/tenants/${tenantIds['Fabrikam']}`, keys['admin'])).statusCode).toBe(200);
  });

  it('pages with a cursor', async () => {
    const first = (await get('/v1/tenants?limit=2', keys['reader'])).json<{ items: { id: string }[]; nextCursor: string }>();
    expect(first.items).toHaveLength(2);
    const second = (await get(`/v1/tenants?limit=2&cursor=${first.nextCursor}`, keys['reader'])).json<{
      items: { id: string }[];
      nextCursor: string | null;
    }>();
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    expect(new Set([...first.items, ...second.items].map((t) => t.id)).size).toBe(3);
  });

  it('lists every invalid query field and rejects unknown ones', async () => {
    const res = await get('/v1/tenants?status=bogus&limit=0&cursor=x&color=red', keys['reader']);
    expect(res.statusCode).toBe(400);
    const fields = res.json<{ errors: { field: string }[] }>().errors.map((e) => e.field);
    expect(new Set(fields)).toEqual(new Set(['status', 'limit', 'cursor', 'color']));
  });

  it('rejects unknown body fields and bad JSON with problem+json', async () => {
    const post = (payload: string) =>
      app.inject({
        method: 'POST',
        url: '/v1/probes',
        headers: { authorization: `Bearer ${keys['admin']}`, 'content-type': 'application/json' },
        payload,
      });
    const unknown = await post(JSON.stringify({ message: 'x', surprise: 1, workMs: -5 }));
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json<{ errors: { field: string }[] }>().errors.map((e) => e.field).sort()).toEqual(['surprise', 'workMs']);
    const bad = await post('{not json');
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(await prisma.probe.count()).toBe(0);
  });

  it('keeps /health, /metrics and /docs open, and Bull Board for admin keys only', async () => {
    expect((await get('/health/live')).statusCode).toBe(200);
    expect((await get('/health/ready')).json()).toMatchObject({ status: 'ok' });
    expect((await get('/metrics')).body).toContain('http_request_duration_seconds');
    expect((await get('/docs-json')).json()).toHaveProperty('paths./v1/tenants');
    expect((await get('/admin/queues')).statusCode).toBe(401);
    expect((await get('/admin/queues', keys['reader'])).statusCode).toBe(403);
    expect((await get('/admin/queues', keys['admin'])).statusCode).toBe(200);
  });

  it('echoes a well-formed X-Request-Id and generates one otherwise', async () => {
    const mine = await app.inject({ method: 'GET', url: '/v1/tenants', headers: { 'x-request-id': 'portal-123' } });
    expect(mine.headers['x-request-id']).toBe('portal-123');
    const generated = await app.inject({ method: 'GET', url: '/health/live', headers: { 'x-request-id': 'bad id!' } });
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

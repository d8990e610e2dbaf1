import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@app/config';
import { issueApiKey, PrismaService } from '@app/db';
import { redisOptionsFromUrl } from '@app/jobs';
import { deleteQueueKeys, testQueuePrefix, TestDatabase } from '@app/testing';
import { startInProcessApi } from '../test-support/in-process-api';

/**
 * Per-tenant sync settings through the API (issue 7): interval and drift modes are validated together, stored,
 * shown, and an interval or exclusion change reschedules the tenant's BullMQ job scheduler in Redis at once.
 */
describe('tenant sync settings', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let prisma: PrismaService;
  let queue: Queue;
  let key: string;
  const prefix = testQueuePrefix();

  beforeAll(async () => {
    ({ app, db, prisma } = await startInProcessApi({ QUEUE_PREFIX: prefix, SCHEDULE_INTERVAL_MINUTES: '15' }));
    key = (await issueApiKey(prisma, { name: 'writer', scopes: ['tenants:read', 'tenants:write'], tenantTags: [] })).key;
    queue = new Queue('audit', { connection: redisOptionsFromUrl(loadConfig().redis.url), prefix });
  });

  afterAll(async () => {
    await queue?.close();
    await app?.close();
    await deleteQueueKeys(loadConfig().redis.url, prefix);
    await db?.drop();
  });

  const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${key}` }, ...(payload ? { payload } : {}) });
  const scheduler = async (tenantId: string) => (await queue.getJobSchedulers(0, -1)).find((s) => s.key === `tenant-sync:${tenantId}`);
  const activeTenant = async () =>
    (await prisma.tenant.create({ data: { displayName: 'Contoso', entraTenantId: randomUUID(), status: 'active' } })).id;

  it('POST accepts the interval and both drift modes; GET shows them with the sync state', async () => {
    const res = await call('POST', '/v1/tenants', {
      entraTenantId: randomUUID(),
      displayName: 'Fabrikam',
      syncIntervalMinutes: 60,
      consentDriftMode: 'repair',
      driftMode: 'repair',
    });
    expect(res.statusCode).toBe(201);
    const id = res.json<{ id: string }>().id;
    const got = await call('GET', `/v1/tenants/${id}`);
    expect(got.json()).toMatchObject({
      syncIntervalMinutes: 60,
      consentDriftMode: 'repair',
      driftMode: 'repair',
      sync: { intervalMinutes: 60, consentDriftMode: 'repair', lastSyncAt: null, lastSyncResult: null, consentDrift: null, roleDrift: null },
    });
    // Not active yet: nothing is scheduled before onboarding's last step.
    expect(await scheduler(id)).toBeUndefined();
  });

  it('PATCH of the interval reschedules an active tenant in Redis at once; null goes back to the default', async () => {
    const id = await activeTenant();
    const patched = await call('PATCH', `/v1/tenants/${id}`, { syncIntervalMinutes: 30 });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ syncIntervalMinutes: 30 });
    expect((await scheduler(id))?.every).toBe(30 * 60_000);
    const next = (await scheduler(id))?.next;
    expect(next).toBeGreaterThan(Date.now());
    expect(next).toBeLessThanOrEqual(Date.now() + 30 * 60_000);

    expect((await call('PATCH', `/v1/tenants/${id}`, { syncIntervalMinutes: null })).json()).toMatchObject({ syncIntervalMinutes: null });
    expect((await scheduler(id))?.every).toBe(15 * 60_000);
    const log = await prisma.activityLog.findMany({ where: { tenantId: id, action: 'tenant.updated' }, orderBy: { id: 'asc' } });
    expect(log.map((l) => (l.details as { changes: unknown }).changes)).toEqual([
      { syncIntervalMinutes: { from: null, to: 30 } },
      { syncIntervalMinutes: { from: 30, to: null } },
    ]);
  });

  it('excluding a tenant removes its scheduler; including it again brings it back with its interval', async () => {
    const id = await activeTenant();
    await call('PATCH', `/v1/tenants/${id}`, { syncIntervalMinutes: 45 });
    expect((await scheduler(id))?.every).toBe(45 * 60_000);
    expect((await call('PATCH', `/v1/tenants/${id}`, { excluded: true })).statusCode).toBe(200);
    expect(await scheduler(id)).toBeUndefined();
    expect((await call('PATCH', `/v1/tenants/${id}`, { excluded: false })).statusCode).toBe(200);
    expect((await scheduler(id))?.every).toBe(45 * 60_000);
  });

  it('bad values: 400 problem+json naming every bad field; nothing written, the schedule untouched', async () => {
    const id = await activeTenant();
    await call('PATCH', `/v1/tenants/${id}`, { syncIntervalMinutes: 20 });
    const before = await prisma.tenant.findUniqueOrThrow({ where: { id } });
    const logged = await prisma.activityLog.count({ where: { tenantId: id } });
    for (const body of [
      { syncIntervalMinutes: 4, consentDriftMode: 'fix-it', driftMode: 7 },
      { syncIntervalMinutes: 1441, consentDriftMode: null, driftMode: 'repair' },
      { syncIntervalMinutes: 7.5, consentDriftMode: 'repair' },
      { syncIntervalMinutes: '30', driftMode: 'report' },
    ]) {
      const res = await call('PATCH', `/v1/tenants/${id}`, body);
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      const fields = res.json<{ errors: { field: string }[] }>().errors.map((e) => e.field);
      const bad = Object.entries(body)
        .filter(([k, v]) => !(k === 'driftMode' && (v === 'repair' || v === 'report')) && !(k === 'consentDriftMode' && v === 'repair'))
        .map(([k]) => k);
      expect([...new Set(fields)].sort()).toEqual(bad.sort());
    }
    const bad = await call('POST', '/v1/tenants', { entraTenantId: randomUUID(), displayName: 'Bad', syncIntervalMinutes: 0, consentDriftMode: 'x' });
    expect(bad.statusCode).toBe(400);
    expect(await prisma.tenant.count({ where: { displayName: 'Bad' } })).toBe(0);
    expect(await prisma.tenant.findUniqueOrThrow({ where: { id } })).toEqual(before);
    expect(await prisma.activityLog.count({ where: { tenantId: id } })).toBe(logged);
    expect((await scheduler(id))?.every).toBe(20 * 60_000);
  });
});

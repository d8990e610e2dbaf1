import { randomUUID } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@app/config';
import { issueApiKey, PrismaService, TenantRepository } from '@app/db';
import { InboundEvents, RunLauncher } from '@app/onboarding';
import { generateWebhookSecret, signWebhook } from '@app/security';
import { createTestDatabase, deleteQueueKeys, registerInboundWebhookSecret, TestDatabase, testQueuePrefix } from '@app/testing';
import { createApiApp } from '../bootstrap';

/** POST /v1/webhooks/{source}: signature, store-then-process, dedup, rotation, strict events, excluded tenants. */
describe('inbound webhooks and the activity log', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let prisma: PrismaService;
  let inbound: InboundEvents;
  const prefix = testQueuePrefix();
  const oldSecret = generateWebhookSecret();
  const newSecret = generateWebhookSecret();
  registerInboundWebhookSecret(oldSecret);
  registerInboundWebhookSecret(newSecret);
  let reader: string;
  let emeaReader: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    process.env.DATABASE_URL = db.url;
    process.env.QUEUE_PREFIX = prefix;
    process.env.LOG_LEVEL = 'silent';
    process.env.INBOUND_WEBHOOK_SECRETS = `psa:${oldSecret},psa:${newSecret}`;
    app = await createApiApp(loadConfig());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    prisma = app.get(PrismaService);
    inbound = new InboundEvents(prisma, app.get(TenantRepository), app.get(RunLauncher, { strict: false }));
    reader = (await issueApiKey(prisma, { name: 'reader', scopes: ['tenants:read'] })).key;
    emeaReader = (await issueApiKey(prisma, { name: 'emea-reader', scopes: ['tenants:read'], tenantTags: ['emea'] })).key;
  });

  afterAll(async () => {
    await app?.close();
    await deleteQueueKeys(loadConfig().redis.url, prefix);
    await db?.drop();
  });

  function send(event: unknown, opts: { secret?: string; id?: string; ts?: number; source?: string; raw?: string } = {}) {
    const body = opts.raw ?? JSON.stringify(event);
    const headers = signWebhook(opts.secret ?? newSecret, opts.id ?? `msg_${randomUUID()}`, opts.ts ?? Math.floor(Date.now() / 1000), body);
    return app.inject({
      method: 'POST',
      url: `/v1/webhooks/${opts.source ?? 'psa'}`,
      headers: { ...headers, 'content-type': 'application/json' },
      payload: body,
    });
  }

  async function sendAndProcess(event: unknown, opts: Parameters<typeof send>[1] = {}) {
    const res = await send(event, opts);
    expect(res.statusCode).toBe(202);
    const { id } = res.json<{ id: string }>();
    return { id, outcome: await inbound.process(id) };
  }

  it('refuses unknown sources, bad signatures and stale timestamps with problem+json, storing nothing', async () => {
    const ev = { type: 'tenant.resync', data: { entraTenantId: randomUUID() } };
    const cases = [
      { res: await send(ev, { source: 'nope' }), status: 404 },
      { res: await send(ev, { secret: generateWebhookSecret() }), status: 401 },
      { res: await send(ev, { ts: Math.floor(Date.now() / 1000) - 600 }), status: 401 },
    ];
    for (const { res, status } of cases) {
      expect(res.statusCode).toBe(status);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    const unsigned = await app.inject({ method: 'POST', url: '/v1/webhooks/psa', payload: ev });
    expect(unsigned.statusCode).toBe(401);
    expect(unsigned.json()).toMatchObject({ reason: 'missing_headers' });
    expect(await prisma.inboundEvent.count()).toBe(0);
  });

  it('registers a preconsented tenant and starts onboarding; a redelivery is acknowledged, not processed again', async () => {
    const entraTenantId = randomUUID();
    const event = { type: 'tenant.created', data: { entraTenantId, displayName: 'Contoso', tags: ['emea'], consentMode: 'preconsented' } };
    const { id, outcome } = await sendAndProcess(event, { id: 'msg_created_1', secret: oldSecret });
    expect(outcome).toMatchObject({ status: 'processed' });
    const tenant = await prisma.tenant.findUniqueOrThrow({ where: { entraTenantId } });
    expect(tenant).toMatchObject({ displayName: 'Contoso', status: 'onboarding', consentMode: 'preconsented' });
    expect(await prisma.run.count({ where: { tenantId: tenant.id, kind: 'onboard' } })).toBe(1);
    const created = await prisma.activityLog.findFirstOrThrow({ where: { tenantId: tenant.id, action: 'tenant.created' } });
    expect(created.actor).toBe('webhook:psa');

    const again = await send(event, { id: 'msg_created_1' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ id, status: 'duplicate' });
    expect(await prisma.inboundEvent.count({ where: { webhookId: 'msg_created_1' } })).toBe(1);
    expect(await inbound.process(id)).toBeNull();
    expect(await prisma.run.count({ where: { tenantId: tenant.id } })).toBe(1);
  });

  it('keeps invalid events with the reason and changes nothing', async () => {
    const tenantsBefore = await prisma.tenant.count();
    for (const event of [
      { type: 'tenant.created', data: { entraTenantId: 'not-a-guid', displayName: '' } },
      { type: 'tenant.created', data: { entraTenantId: randomUUID(), displayName: 'X', extra: "'; DROP TABLE tenants; --" } },
      { type: 'tenant.exploded', data: {} },
      { type: 'tenant.offboarded', data: { entraTenantId: randomUUID() } },
    ]) {
      const { id, outcome } = await sendAndProcess(event);
      expect(outcome?.status).toBe('invalid');
      const stored = await prisma.inboundEvent.findUniqueOrThrow({ where: { id } });
      expect(stored.status).toBe('invalid');
      expect(stored.reason).toBeTruthy();
    }
    expect(await prisma.tenant.count()).toBe(tenantsBefore);
    expect(await prisma.activityLog.count({ where: { action: 'webhook.rejected' } })).toBe(4);
  });

  it('updates, resyncs and offboards tenants; excluded tenants are never touched', async () => {
    const t = await prisma.tenant.create({ data: { displayName: 'Fabrikam', entraTenantId: randomUUID(), status: 'active', tags: ['us'] } });
    const { outcome } = await sendAndProcess({ type: 'tenant.updated', data: { entraTenantId: t.entraTenantId!, displayName: 'Fabrikam Ltd' } });
    expect(outcome?.status).toBe('processed');
    const log = await prisma.activityLog.findFirstOrThrow({ where: { tenantId: t.id, action: 'tenant.updated' } });
    expect(log.details).toMatchObject({ changes: { displayName: { from: 'Fabrikam', to: 'Fabrikam Ltd' } } });
    await sendAndProcess({ type: 'tenant.resync', data: { entraTenantId: t.entraTenantId! } });
    expect(await prisma.run.count({ where: { tenantId: t.id, kind: 'resync' } })).toBe(1);
    // A second run while one is active is refused, recorded, and nothing is half-applied.
    const conflict = await sendAndProcess({ type: 'tenant.offboarded', data: { entraTenantId: t.entraTenantId! } });
    expect(conflict.outcome).toMatchObject({ status: 'invalid' });
    expect(await prisma.run.count({ where: { tenantId: t.id } })).toBe(1);

    const ex = await prisma.tenant.create({ data: { displayName: 'Excluded', entraTenantId: randomUUID(), status: 'active', excluded: true } });
    const before = await prisma.tenant.findUniqueOrThrow({ where: { id: ex.id } });
    for (const type of ['tenant.updated', 'tenant.resync', 'tenant.offboarded']) {
      const data = type === 'tenant.updated' ? { entraTenantId: ex.entraTenantId!, displayName: 'Changed' } : { entraTenantId: ex.entraTenantId! };
      const { outcome: o } = await sendAndProcess({ type, data });
      expect(o).toMatchObject({ status: 'invalid', reason: expect.stringMatching(/excluded/) });
    }
    expect(await prisma.tenant.findUniqueOrThrow({ where: { id: ex.id } })).toEqual(before);
    expect(await prisma.run.count({ where: { tenantId: ex.id } })).toBe(0);
  });

  it('answers 202 quickly under concurrent load (store, then process)', async () => {
    const latencies: number[] = [];
    const total = 400;
    const concurrency = 10;
    // Warm-up (connection pool, JIT) is not what the p99 is about.
    for (let i = 0; i < 20; i++) await send({ type: 'tenant.resync', data: { entraTenantId: randomUUID() } });
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < total) {
          next++;
          const started = process.hrtime.bigint();
          const res = await send({ type: 'tenant.resync', data: { entraTenantId: randomUUID() } });
          latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
          expect(res.statusCode).toBe(202);
        }
      }),
    );
    latencies.sort((a, b) => a - b);
    const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
    console.log(`inbound webhook latency over ${total} requests, ${concurrency} concurrent: p50 ${p(0.5).toFixed(1)} ms, p99 ${p(0.99).toFixed(1)} ms`);
    // The target is p99 < 100 ms (46 ms measured when this file runs alone on a 2-CPU machine, docs/webhooks.md).
    // Inside `npm test` every other suite shares the CPUs, so the bound here only catches gross regressions
    // (e.g. processing before answering); WEBHOOK_P99_BUDGET_MS=100 applies the real target when run alone.
    expect(p(0.99)).toBeLessThan(Number(process.env.WEBHOOK_P99_BUDGET_MS ?? 1000));
  });

  describe('GET /v1/activity', () => {
    const get = (url: string, key = reader) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });

    it('filters, pages with a cursor and records actor, correlation id and client IP', async () => {
      const all = await get('/v1/activity?actor=webhook:psa&action=webhook.&limit=5');
      expect(all.statusCode).toBe(200);
      const page1 = all.json<{ items: { id: string; actor: string; action: string; clientIp: string | null; correlationId: string }[]; nextCursor: string }>();
      expect(page1.items).toHaveLength(5);
      expect(page1.items.every((i) => i.actor === 'webhook:psa' && i.action.startsWith('webhook.'))).toBe(true);
      expect(page1.items.find((i) => i.action === 'webhook.received')?.clientIp).toBeTruthy();
      const page2 = (await get(`/v1/activity?actor=webhook:psa&action=webhook.&limit=5&cursor=${page1.nextCursor}`)).json<{ items: { id: string }[] }>();
      expect(BigInt(page2.items[0]!.id)).toBeLessThan(BigInt(page1.items[4]!.id));
      const bad = await get('/v1/activity?cursor=abc&from=yesterday&limit=0&nope=1');
      expect(bad.statusCode).toBe(400);
      expect(bad.headers['content-type']).toContain('application/problem+json');
    });

    it('shows a tag-restricted key only rows about its tenants', async () => {
      const items = (await get('/v1/activity?limit=500', emeaReader)).json<{ items: { tenantId: string | null }[] }>().items;
      expect(items.length).toBeGreaterThan(0);
      const emea = await prisma.tenant.findMany({ where: { tags: { has: 'emea' } }, select: { id: true } });
      expect(items.every((i) => i.tenantId && emea.some((t) => t.id === i.tenantId))).toBe(true);
    });

    it('is append-only in the database: UPDATE, DELETE and TRUNCATE are refused', async () => {
      const count = await prisma.activityLog.count();
      await expect(prisma.activityLog.updateMany({ data: { action: 'forged' } })).rejects.toThrow(/append-only/);
      await expect(prisma.activityLog.deleteMany({})).rejects.toThrow(/append-only/);
      await expect(prisma.$executeRawUnsafe('TRUNCATE activity_log')).rejects.toThrow(/append-only/);
      expect(await prisma.activityLog.count()).toBe(count);
      expect(await prisma.activityLog.count({ where: { action: 'forged' } })).toBe(0);
    });
  });
});

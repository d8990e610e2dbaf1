import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@app/config';
import { issueApiKey, PrismaService } from '@app/db';
import { createTestDatabase, deleteQueueKeys, TestDatabase, testQueuePrefix } from '@app/testing';
import { createApiApp } from '../bootstrap';

/** RATE_LIMIT_PER_MINUTE per API key, shared through Redis: 429 problem+json with Retry-After beyond it. */
describe('per-key rate limit', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let prisma: PrismaService;
  const prefix = testQueuePrefix();

  beforeAll(async () => {
    db = await createTestDatabase();
    process.env.DATABASE_URL = db.url;
    process.env.QUEUE_PREFIX = prefix;
    process.env.LOG_LEVEL = 'silent';
    process.env.RATE_LIMIT_PER_MINUTE = '5';
    app = await createApiApp(loadConfig());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    prisma = app.get(PrismaService);
  });

  afterAll(async () => {
    await app?.close();
    await deleteQueueKeys(loadConfig().redis.url, prefix);
    await db?.drop();
  });

  const get = (key: string) => app.inject({ method: 'GET', url: '/v1/tenants', headers: { authorization: `Bearer ${key}` } });

  it('lets the budget through, then answers 429 with Retry-After; other keys keep their own budget', async () => {
    // Start at the beginning of a minute window so the loop cannot straddle two windows.
    const intoWindow = Date.now() % 60_000;
    if (intoWindow > 55_000) await new Promise((r) => setTimeout(r, 60_500 - intoWindow));
    const a = (await issueApiKey(prisma, { name: 'a', scopes: ['tenants:read'] })).key;
    const b = (await issueApiKey(prisma, { name: 'b', scopes: ['tenants:read'] })).key;
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await get(a)).statusCode);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const res = await get(a);
    expect(res.statusCode).toBe(429);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(res.json()).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    expect((await get(b)).statusCode).toBe(200);
    // Unauthenticated requests are not counted against (or by) any key: still 401.
    expect((await app.inject({ method: 'GET', url: '/v1/tenants' })).statusCode).toBe(401);
  });
});

import fc from 'fast-check';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@app/config';
import { PrismaService } from '@app/db';
import { createTestDatabase, deleteQueueKeys, issueTestApiKey, registerSecretsFromEnv, TestDatabase, testQueuePrefix } from '@app/testing';
import { createApiApp } from '../bootstrap';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
interface Route {
  method: Method;
  path: string;
}

const HOSTILE = [
  "' OR 1=1; --",
  "'; DROP TABLE tenants; --",
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '%00',
  '\u0000',
  '${jndi:ldap://x}',
  '{{7*7}}',
  '__proto__',
  'constructor',
  '😀'.repeat(50),
  'a'.repeat(5000),
  '-1',
  '1e309',
  'NaN',
  'null',
  '00000000-0000-0000-0000-000000000000',
];

/** Strings that are likely to reach parsers and SQL: hostile constants, random unicode, huge values. */
const hostileString = fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }));
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(hostileString, { maxLength: 5 }),
  fc.dictionary(hostileString, hostileString, { maxKeys: 4 }),
);
const FIELD_NAMES = ['displayName', 'entraTenantId', 'domain', 'tags', 'excluded', 'consentMode', 'kind', 'dryRun', 'tenantIds', 'tag', 'url', 'events', 'enabled', 'roles', 'name', 'limit', 'cursor', '__proto__', 'constructor'];
const hostileBody = fc.oneof(
  fc.dictionary(fc.oneof(fc.constantFrom(...FIELD_NAMES), hostileString), hostileValue, { maxKeys: 6 }),
  fc.jsonValue(),
  fc.array(hostileValue, { maxLength: 3 }),
);

/**
 * Property-based fuzzing of every route (fast-check): malformed, oversized, wrongly typed and injection-laden
 * path parameters, query strings and bodies. Whatever comes in: no 5xx, every error is problem+json naming the
 * problem, and a refused request writes nothing.
 */
describe('hostile input (fuzz)', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let prisma: PrismaService;
  const prefix = testQueuePrefix();
  let routes: Route[];
  let admin: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    process.env.DATABASE_URL = db.url;
    process.env.QUEUE_PREFIX = prefix;
    process.env.LOG_LEVEL = 'silent';
    process.env.INBOUND_WEBHOOK_SECRETS = 'psa:whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    registerSecretsFromEnv(process.env);
    app = await createApiApp(loadConfig());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    prisma = app.get(PrismaService);
    admin = (await issueTestApiKey(prisma, { name: 'fuzz-admin', scopes: ['admin'] })).key;
    await prisma.tenant.create({ data: { displayName: 'Seed', tags: ['emea'] } });
    const doc = (await app.inject({ method: 'GET', url: '/docs-json' })).json<{ paths: Record<string, Record<string, unknown>> }>();
    routes = Object.entries(doc.paths)
      .filter(([p]) => p.startsWith('/v1/'))
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => ({ method: m.toUpperCase() as Method, path })));
    // Routes authenticated by signature or state instead of an API key (not in the API-key document).
    routes.push({ method: 'POST', path: '/v1/webhooks/{source}' }, { method: 'GET', path: '/v1/consent/callback' }, { method: 'POST', path: '/v1/graph/notifications' });
  });

  afterAll(async () => {
    await app?.close();
    await deleteQueueKeys(loadConfig().redis.url, prefix);
    await db?.drop();
  });

  /** Row counts of every table a request could write: a refused request must leave all of them unchanged. */
  async function footprint(): Promise<string[]> {
    const rows = await prisma.$queryRaw<{ n: string }[]>`
      SELECT (SELECT count(*) FROM tenants) || '/' || (SELECT count(*) FROM runs) || '/' || (SELECT count(*) FROM run_steps)
        || '/' || (SELECT count(*) FROM activity_log) || '/' || (SELECT count(*) FROM role_specs)
        || '/' || (SELECT count(*) FROM webhook_subscriptions) || '/' || (SELECT count(*) FROM secrets)
        || '/' || (SELECT count(*) FROM inbound_events) || '/' || (SELECT count(*) FROM outbox_events)
        || '/' || (SELECT count(*) FROM batches) || '/' || (SELECT count(*) FROM consent_states) AS n`;
    return rows[0]!.n.split('/');
  }

  function expectProblem(label: string, res: { statusCode: number; headers: Record<string, unknown>; body: string }): void {
    expect([label, res.statusCode < 500]).toEqual([label, true]);
    if (res.statusCode >= 400) {
      expect([label, String(res.headers['content-type'])]).toEqual([label, expect.stringContaining('application/problem+json')]);
      const body = JSON.parse(res.body) as { title?: string; status?: number; detail?: string; code?: string };
      expect([label, body.status]).toEqual([label, res.statusCode]);
      expect([label, typeof body.code === 'string' && typeof (body.detail ?? body.title) === 'string']).toEqual([label, true]);
    }
  }

  it('survives random path parameters, query strings and bodies on every route', async () => {
    const sample = fc.record({
      route: fc.constantFrom(...routes),
      params: fc.array(hostileString, { minLength: 4, maxLength: 4 }),
      query: fc.dictionary(fc.oneof(fc.constantFrom('limit', 'cursor', 'status', 'tag', 'excluded', 'from', 'to', 'action', 'state', 'tenantId'), hostileString), hostileString, { maxKeys: 4 }),
      body: hostileBody,
      contentType: fc.constantFrom('application/json', 'application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/xml'),
    });
    await fc.assert(
      fc.asyncProperty(sample, async ({ route, params, query, body, contentType }) => {
        let i = 0;
        const path = route.path.replace(/\{\w+\}/g, () => encodeURIComponent(params[i++ % params.length]!));
        const qs = new URLSearchParams(query as Record<string, string>).toString();
        const before = await footprint();
        const payload = ['POST', 'PUT', 'PATCH'].includes(route.method)
          ? // Other content types carry the same text: the API must refuse them (415), not guess.
            (JSON.stringify(body) ?? 'null')
          : undefined;
        const res = await app.inject({
          method: route.method,
          url: `${path}${qs ? `?${qs}` : ''}`,
          headers: { authorization: `Bearer ${admin}`, ...(payload !== undefined ? { 'content-type': contentType } : {}) },
          payload,
        });
        const label = `${route.method} ${path}?${qs} ${payload?.slice(0, 200) ?? ''} → ${res.statusCode} ${res.body.slice(0, 300)}`;
        // The consent callback is a browser page: its errors are small HTML pages by design (still never 5xx).
        if (route.path === '/v1/consent/callback') expect([label, res.statusCode < 500]).toEqual([label, true]);
        else expectProblem(label, res);
        if (res.statusCode >= 400) {
          const after = await footprint();
          // A refused consent callback is recorded in activity_log on purpose (an audit of rejected attempts).
          if (route.path === '/v1/consent/callback') after[3] = before[3]!;
          expect([label, after]).toEqual([label, before]);
        }
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 600), seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31), verbose: 1 },
    );
  }, 180_000);

  it('refuses oversized, truncated and deeply nested bodies with problem+json', async () => {
    const limit = loadConfig().api.bodyLimitBytes;
    const before = await footprint();
    const cases = [
      JSON.stringify({ displayName: 'x'.repeat(limit + 10) }),
      '{"displayName": "trunc',
      '['.repeat(5000) + ']'.repeat(5000),
      JSON.stringify({ displayName: 'x', tags: Array.from({ length: 10_000 }, (_, i) => `t${i}`) }),
    ];
    for (const payload of cases) {
      for (const url of ['/v1/tenants', '/v1/runs/bulk', '/v1/webhook-subscriptions', '/v1/webhooks/psa']) {
        const res = await app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, payload });
        expectProblem(`POST ${url} ${payload.slice(0, 60)} → ${res.statusCode}`, res);
        expect(res.statusCode).toBeGreaterThanOrEqual(400);
      }
    }
    expect(await footprint()).toEqual(before);
  });
});

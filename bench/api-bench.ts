/**
 * Scenario 5: `GET /v1/tenants/{id}` and `GET /v1/tenants?status=active` with `tenants` tenants seeded straight into
 * Postgres, at fixed offered request rates (autocannon, latencies corrected for coordinated omission), each beside
 * a bare Fastify route (own process, same transport, same rates) in the same run. The api runs as its own process
 * with its real auth (API key lookup) and rate limiter (raised so it never answers 429 here).
 */
import { parseConfig } from '@app/config';
import { issueApiKey, PrismaService } from '@app/db';
import { createTestDatabase, deleteQueueKeys, startApi, testQueuePrefix } from '@app/testing';
import { loadFigures, LoadResult, offerLoad, startBareServer } from './lib/load';
import { Figure } from './lib/report';
import { seedTenants } from './lib/seed';

export interface ApiBenchOptions {
  tenants: number;
  rates: number[];
  durationS: number;
  redisUrl: string;
  /** Time the freshly seeded table before any ANALYZE (the plan a stats-less table gets); env BENCH_API_NO_ANALYZE=1. */
  skipAnalyze?: boolean;
}

export async function apiScenario(o: ApiBenchOptions): Promise<{ figures: Figure[]; raw: Record<string, LoadResult[]> }> {
  const db = await createTestDatabase();
  const prefix = testQueuePrefix();
  const prisma = new PrismaService(parseConfig({ DATABASE_URL: db.url }));
  const bare = await startBareServer();
  let api: Awaited<ReturnType<typeof startApi>> | undefined;
  try {
    const ids = await seedTenants(db.url, o.tenants, true);
    // A live tenants table has statistics (autovacuum analyzes it after 10% of its rows change); one seeded a moment
    // ago has none until autovacuum's next pass, somewhere inside the timed runs, and without them the planner
    // guesses a handful of rows per status and reads and sorts every active tenant for each page. Timed runs here
    // measure that steady state; BENCH_API_NO_ANALYZE=1 times the stats-less table instead.
    if (!(o.skipAnalyze ?? process.env.BENCH_API_NO_ANALYZE === '1')) await prisma.$executeRawUnsafe('ANALYZE tenants');
    const key = (await issueApiKey(prisma, { name: 'bench', scopes: ['tenants:read'], tenantTags: [] })).key;
    api = await startApi({ DATABASE_URL: db.url, QUEUE_PREFIX: prefix, LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '1000000' });
    const headers = { authorization: `Bearer ${key}` };
    const randomTenant = (req: { path?: string }) => ({ ...req, path: `/v1/tenants/${ids[Math.floor(Math.random() * ids.length)]}` });
    const endpoints = [
      { name: 'GET /v1/tenants/{id}', path: '/v1/tenants/x', setupRequest: randomTenant },
      { name: 'GET /v1/tenants?status=active', path: '/v1/tenants?status=active' },
    ];
    // Sanity: both endpoints answer 200 with the key before anything is timed.
    for (const e of endpoints) {
      const path = e.setupRequest ? e.setupRequest({}).path! : e.path;
      const res = await fetch(`${api.info.url}${path}`, { headers });
      if (res.status !== 200) throw new Error(`${e.name} answered ${res.status}: ${await res.text()}`);
    }
    const figures: Figure[] = [];
    const raw: Record<string, LoadResult[]> = {};
    for (const e of endpoints) {
      const run = (base: string, rate: number, durationS: number) =>
        offerLoad({ url: `${base}${e.path}`, rate, durationS, headers, setupRequest: e.setupRequest });
      await run(api.info.url, Math.min(...o.rates), 2); // warm-up: JIT, pools
      await run(bare.info.url, Math.min(...o.rates), 2);
      for (const rate of o.rates) {
        const product = await run(api.info.url, rate, o.durationS);
        const reference = await run(bare.info.url, rate, o.durationS);
        (raw[e.name] ??= []).push(product, reference);
        console.log(`  ${e.name} @ ${rate}/s: api p50 ${product.p50Ms} ms p99 ${product.p99Ms} ms ${product.throughput}/s (non-2xx ${product.non2xx}); bare p50 ${reference.p50Ms} ms p99 ${reference.p99Ms} ms ${reference.throughput}/s`);
        figures.push(...loadFigures(`5 API ${e.name}`, product, reference));
      }
    }
    return { figures, raw };
  } finally {
    await api?.stop(5000);
    await bare.stop(2000);
    await prisma.$disconnect();
    await deleteQueueKeys(o.redisUrl, prefix);
    await db.drop();
  }
}

/**
 * Inbound webhook acknowledgement benchmark (issue 8: "answered 202 within 100 ms, p99 under load"; issue 9
 * scenario 7). Starts the api as its own process on a fresh database and offers freshly signed `tenant.resync`
 * events at a fixed rate (autocannon, latencies corrected for coordinated omission), then the same rate to a bare
 * Fastify route that does nothing (own process, same transport): p50/p99 of the time to the 202 beside it.
 *
 *   npm run build && node tools/run.cjs start-bench inbound-webhooks [rate=200] [seconds=15]
 */
import { randomUUID } from 'node:crypto';
import { generateWebhookSecret, signWebhook } from '@app/security';
import { createTestDatabase, deleteQueueKeys, startApi, testQueuePrefix } from '@app/testing';
import { loadFigures, LoadResult, offerLoad, startBareServer } from './lib/load';
import { Figure } from './lib/report';

export const WEBHOOK_TARGET_P99_MS = 100;

export async function webhookAckScenario(o: { rate: number; durationS: number; redisUrl: string }): Promise<{ figures: Figure[]; raw: LoadResult[] }> {
  const db = await createTestDatabase();
  const prefix = testQueuePrefix();
  const secret = generateWebhookSecret();
  const bare = await startBareServer();
  let api: Awaited<ReturnType<typeof startApi>> | undefined;
  try {
    api = await startApi({ DATABASE_URL: db.url, QUEUE_PREFIX: prefix, LOG_LEVEL: 'warn', INBOUND_WEBHOOK_SECRETS: `psa:${secret}` });
    const signed = () => {
      const body = JSON.stringify({ type: 'tenant.resync', data: { entraTenantId: randomUUID() } });
      const headers = signWebhook(secret, `bench_${randomUUID()}`, Math.floor(Date.now() / 1000), body);
      return { method: 'POST', path: '/v1/webhooks/psa', headers: { ...headers, 'content-type': 'application/json' }, body };
    };
    const run = (base: string, rate: number, durationS: number) => offerLoad({ url: base, rate, durationS, method: 'POST', setupRequest: () => signed() });
    await run(api.info.url, o.rate, 2); // warm-up: pools, JIT
    await run(bare.info.url, o.rate, 2);
    const product = await run(api.info.url, o.rate, o.durationS);
    const reference = await run(bare.info.url, o.rate, o.durationS);
    console.log(
      `  inbound webhooks @ ${o.rate}/s: api p50 ${product.p50Ms} ms p99 ${product.p99Ms} ms max ${product.maxMs} ms, ${product.throughput}/s (non-2xx ${product.non2xx}, errors ${product.errors}); ` +
        `bare p50 ${reference.p50Ms} ms p99 ${reference.p99Ms} ms (target p99 ≤ ${WEBHOOK_TARGET_P99_MS} ms)`,
    );
    return { figures: loadFigures('7 inbound webhook ack', product, reference, { ms: WEBHOOK_TARGET_P99_MS }), raw: [product, reference] };
  } finally {
    await api?.stop(5000);
    await bare.stop(2000);
    await deleteQueueKeys(o.redisUrl, prefix);
    await db.drop();
  }
}

if (require.main === module) {
  const [rate = 200, durationS = 15] = process.argv.slice(2).map(Number);
  webhookAckScenario({ rate, durationS, redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' }).catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}

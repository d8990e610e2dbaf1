/**
 * Inbound webhook latency benchmark (issue 8: "answered 202 within 100 ms, p99 under load"). Starts the api as its
 * own process on a fresh database and sends signed `tenant.resync` events over loopback HTTP from N concurrent
 * clients; prints p50/p95/p99/max of the time to the 202 and the rate. Not a timed test: compare with the target.
 *
 *   npm run build && node tools/run.cjs start-bench inbound-webhooks [requests=5000] [concurrency=50]
 */
import { randomUUID } from 'node:crypto';
import { generateWebhookSecret, signWebhook } from '@app/security';
import { createTestDatabase, deleteQueueKeys, startApi, testQueuePrefix } from '@app/testing';

const [requests = 5000, concurrency = 50] = process.argv.slice(2).map(Number);
const TARGET_P99_MS = 100;

async function main(): Promise<void> {
  const db = await createTestDatabase();
  const prefix = testQueuePrefix();
  const secret = generateWebhookSecret();
  const api = await startApi({ DATABASE_URL: db.url, QUEUE_PREFIX: prefix, LOG_LEVEL: 'warn', INBOUND_WEBHOOK_SECRETS: `psa:${secret}` });
  try {
    const send = async (): Promise<number> => {
      const body = JSON.stringify({ type: 'tenant.resync', data: { entraTenantId: randomUUID() } });
      const headers = signWebhook(secret, `bench_${randomUUID()}`, Math.floor(Date.now() / 1000), body);
      const t0 = process.hrtime.bigint();
      const res = await fetch(`${api.info.url}/v1/webhooks/psa`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
      await res.arrayBuffer();
      if (res.status !== 202) throw new Error(`unexpected ${res.status}`);
      return Number(process.hrtime.bigint() - t0) / 1e6;
    };
    for (let i = 0; i < 200; i++) await send(); // warm-up: pools, JIT
    const latencies: number[] = [];
    let next = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next++ < requests) latencies.push(await send());
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const q = (p: number): string => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(1);
    console.log(
      `inbound webhooks: ${latencies.length} requests, ${concurrency} concurrent, ${(latencies.length / seconds).toFixed(0)} req/s; ` +
        `p50 ${q(0.5)} ms, p95 ${q(0.95)} ms, p99 ${q(0.99)} ms, max ${latencies[latencies.length - 1]!.toFixed(1)} ms (target p99 < ${TARGET_P99_MS} ms)`,
    );
  } finally {
    await api.stop(5000);
    await deleteQueueKeys(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix);
    await db.drop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

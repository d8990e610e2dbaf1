import autocannon, { RawRequest } from 'autocannon';
import { Pool } from 'undici';
import { ReadyProcess, spawnReady } from '@app/testing';
import { Figure } from './report';

export interface LoadResult {
  rate: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** 2xx responses per second actually served. */
  throughput: number;
  sent: number;
  non2xx: number;
  errors: number;
}

export interface LoadSpec {
  url: string;
  /** Requests per second offered, whatever the server does (autocannon corrects for coordinated omission). */
  rate: number;
  durationS: number;
  connections?: number;
  method?: string;
  headers?: Record<string, string>;
  /** Builds each request (path, headers, body), e.g. a random tenant id or a freshly signed webhook. */
  setupRequest?: (req: RawRequest) => RawRequest;
}

/** Offers a fixed request rate for a fixed time and summarises latency and throughput. */
export async function offerLoad(spec: LoadSpec): Promise<LoadResult> {
  const r = await autocannon({
    url: spec.url,
    // One request in flight per connection: at ≤ 5 req/s per connection a connection only falls behind the offered
    // rate when a response takes over 200 ms, so the load stays (nearly) open-loop and a slow server shows as latency.
    connections: spec.connections ?? Math.min(250, Math.max(20, Math.ceil(spec.rate / 5))),
    duration: spec.durationS,
    overallRate: spec.rate,
    timeout: 10,
    method: spec.method ?? 'GET',
    headers: spec.headers,
    requests: spec.setupRequest ? [{ setupRequest: spec.setupRequest }] : undefined,
  });
  return {
    rate: spec.rate,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    maxMs: r.latency.max,
    throughput: +(r['2xx'] / r.duration).toFixed(1),
    sent: r.requests.sent,
    non2xx: r.non2xx,
    errors: r.errors,
  };
}

export interface OpenLoopSpec {
  url: string;
  rate: number;
  durationS: number;
  /** Upper bound of requests in flight (keep-alive connections in the pool). */
  connections?: number;
  request: () => { method: 'GET' | 'POST'; path: string; headers?: Record<string, string>; body?: string };
}

/**
 * Open-loop load: request i is sent at t0 + i / rate whatever the server does, over a keep-alive pool, and its
 * latency is counted from that scheduled time (so a slow server, or a late generator, shows as latency instead of
 * fewer requests: no coordinated omission). Unlike autocannon's per-connection rate, whose connections all fire
 * on the same timer tick (at 200/s over 40 connections: a burst of 40 every 200 ms, which the bare reference route
 * itself answered with p99 40–117 ms), arrivals are evenly spread, as independent webhook senders' would be.
 */
export async function offerOpenLoop(spec: OpenLoopSpec): Promise<LoadResult> {
  const pool = new Pool(spec.url, { connections: spec.connections ?? 64, pipelining: 1, keepAliveTimeout: 30_000 });
  const total = Math.round(spec.rate * spec.durationS);
  const latencies: number[] = [];
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  const inflight: Promise<void>[] = [];
  const t0 = performance.now();
  try {
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / spec.rate;
      const wait = due - performance.now();
      if (wait >= 1) await new Promise((r) => setTimeout(r, wait));
      const req = spec.request();
      // From the scheduled time when the generator is late (no coordinated omission); from the send itself when it
      // is up to 1 ms early (a sleep under 1 ms is skipped), else a fast answer would count a negative latency.
      const from = Math.min(due, performance.now());
      inflight.push(
        pool.request({ method: req.method, path: req.path, headers: req.headers, body: req.body }).then(
          async (res) => {
            await res.body.dump();
            latencies.push(performance.now() - from);
            if (res.statusCode >= 200 && res.statusCode < 300) ok++;
            else non2xx++;
          },
          () => {
            errors++;
          },
        ),
      );
    }
    await Promise.all(inflight);
  } finally {
    await pool.close();
  }
  const elapsedS = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (p: number) => +(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0).toFixed(1);
  return { rate: spec.rate, p50Ms: at(50), p99Ms: at(99), maxMs: at(100), throughput: +(ok / elapsedS).toFixed(1), sent: total, non2xx, errors };
}

/** p50, p99 and throughput of the product beside the bare reference measured at the same offered rate. */
export function loadFigures(scenario: string, product: LoadResult, bare: LoadResult, p99Target?: { ms: number }): Figure[] {
  const label = `bare Fastify route @ ${bare.rate}/s`;
  const bad = product.non2xx + product.errors;
  return [
    { scenario, metric: `p50 @ ${product.rate} req/s`, value: product.p50Ms, unit: 'ms', reference: { label, value: bare.p50Ms, unit: 'ms' }, ratio: ratio(product.p50Ms, bare.p50Ms) },
    {
      scenario,
      metric: `p99 @ ${product.rate} req/s`,
      value: product.p99Ms,
      unit: 'ms',
      reference: { label, value: bare.p99Ms, unit: 'ms' },
      ratio: ratio(product.p99Ms, bare.p99Ms),
      ...(p99Target ? { target: `≤ ${p99Target.ms} ms`, met: product.p99Ms <= p99Target.ms && bad === 0 } : {}),
    },
    {
      scenario,
      metric: `throughput @ ${product.rate} req/s offered`,
      value: product.throughput,
      unit: `req/s${bad ? ` (${bad} non-2xx/errors)` : ''}`,
      reference: { label, value: bare.throughput, unit: 'req/s' },
      ratio: ratio(product.throughput, bare.throughput),
    },
  ];
}

// Latencies under 1 ms are reported as whole milliseconds by autocannon; a 0 reference makes no ratio.
const ratio = (a: number, b: number): number | undefined => (b > 0 ? a / b : undefined);

/** The bare Fastify reference server as its own process (bench/lib/bare-server.ts). */
export function startBareServer(): Promise<ReadyProcess<{ url: string }>> {
  return spawnReady<{ url: string }>('bench/lib/bare-server.js', 'BARE_READY', {});
}

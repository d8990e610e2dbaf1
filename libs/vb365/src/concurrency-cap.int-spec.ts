import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '@app/common';
import { RunningSimulator, startSimulator } from '@app/testing';
import Redis from 'ioredis';
import { RedisCap } from './concurrency-cap';
import { CA_PATH, simEnv } from './testing/vb365-fixtures';

const PREFIX = `test:vb365-cap:${process.pid}:`;
let sim: RunningSimulator;
let redis: Redis;

/** Runs the compiled cap worker as its own OS process (rebuild dist before int tests). */
function worker(max: number, requests: number, mode: 'redis' | 'local'): Promise<void> {
  const root = repoRoot();
  const child = spawn(
    process.execPath,
    ['-r', join(root, 'tools', 'alias-register.cjs'), join(root, 'dist', 'libs', 'vb365', 'src', 'testing', 'cap-worker.js'), sim.urls.api!, CA_PATH, PREFIX, String(max), String(requests), mode],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => (code === 0 && out.includes('CAP_WORKER_DONE') ? resolve() : reject(new Error(`cap worker exited ${code}: ${out}`)))),
  );
}

interface Stats {
  peakConcurrent: number;
  requests: number;
  rejectedByCap: number;
}

beforeAll(async () => {
  sim = await startSimulator('vb365-sim', simEnv());
  redis = new Redis({ host: '127.0.0.1', port: 6379 });
  // Every request takes ~120 ms so the workers' requests overlap.
  await sim.admin('/_sim/faults', { global: { latencyMs: 120 } }, 'PUT');
});

afterAll(async () => {
  const keys = await redis.keys(`${PREFIX}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
  await sim.stop();
});

describe('cross-process cap on one VB365 server', () => {
  it('without the shared cap two processes together exceed a per-process limit of 3 (control)', async () => {
    await sim.admin('/_sim/stats', undefined, 'DELETE');
    // Enough requests that the two processes overlap even when one starts much later on a loaded machine.
    await Promise.all([worker(3, 40, 'local'), worker(3, 40, 'local')]);
    expect((await sim.admin<Stats>('/_sim/stats')).peakConcurrent).toBeGreaterThan(3);
  });

  it('with the Redis cap two processes together never exceed 3 concurrent requests', async () => {
    await sim.admin('/_sim/stats', undefined, 'DELETE');
    await Promise.all([worker(3, 12, 'redis'), worker(3, 12, 'redis')]);
    const stats = await sim.admin<Stats>('/_sim/stats');
    expect(stats.requests).toBeGreaterThanOrEqual(26);
    expect(stats.peakConcurrent).toBe(3);
    expect(await redis.zcard(`${PREFIX}{cap:${new URL(sim.urls.api!).host}}`)).toBe(0);
  });

  it('frees the slot of a holder that crashed once its lease expires', async () => {
    const key = `${PREFIX}{cap:lease-test}`;
    // What a process that crashed while holding the only slot leaves behind: a lease nobody renews.
    const [secs] = await redis.time();
    await redis.zadd(key, Number(secs) * 1000 + 1300, 'crashed-holder');
    const t0 = Date.now();
    const release = await new RedisCap(redis, key, 1, 300).acquire();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    await release();
  });
});

describe('slot reuse within one process', () => {
  /** The cap's Redis client, counting the commands that take (EVALSHA) and give back (ZREM) slots. */
  function counted() {
    const calls = { evalsha: 0, zrem: 0 };
    const proxy = new Proxy(redis, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (prop === 'evalsha' || prop === 'zrem') {
          return (...args: unknown[]) => {
            calls[prop]++;
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    return { redis: proxy, calls };
  }
  const keyOf = (name: string) => `${PREFIX}{cap:${name}}`;

  it('serves back-to-back requests from the slot it holds: one grant, no give-back until it lingers unused', async () => {
    const key = keyOf('reuse');
    const { redis: r, calls } = counted();
    const cap = new RedisCap(r, key, 2, 30_000, 15, { lingerMs: 150, maxHoldMs: 10_000 });
    for (let i = 0; i < 10; i++) await (await cap.acquire())();
    expect(calls).toEqual({ evalsha: 1, zrem: 0 });
    // Lingering, the slot still counts against the cap for every process.
    expect(await redis.zcard(key)).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(await redis.zcard(key)).toBe(0);
    expect(calls.zrem).toBe(1);
  });

  it('gives a slot back at once after maxHoldMs, and close() gives back the lingering ones', async () => {
    const key = keyOf('hold');
    const cap = new RedisCap(redis, key, 2, 30_000, 15, { lingerMs: 10_000, maxHoldMs: 100 });
    const release = await cap.acquire();
    await new Promise((r) => setTimeout(r, 150));
    await release();
    expect(await redis.zcard(key)).toBe(0);
    await (await cap.acquire())();
    expect(await redis.zcard(key)).toBe(1);
    await cap.close();
    expect(await redis.zcard(key)).toBe(0);
  });

  it('hands a released slot to a request of the same process that is waiting for one', async () => {
    const key = keyOf('handoff');
    const { redis: r, calls } = counted();
    // Polls 2 s apart: the waiting request can only get its slot in time by the hand-over.
    const cap = new RedisCap(r, key, 1, 30_000, 2_000, { lingerMs: 0, maxHoldMs: 10_000 });
    const first = await cap.acquire();
    let second: (() => Promise<void>) | undefined;
    const waiting = cap.acquire().then((rel) => (second = rel));
    await new Promise((r) => setTimeout(r, 50));
    expect(second).toBeUndefined();
    const t0 = Date.now();
    await first();
    await waiting;
    expect(Date.now() - t0).toBeLessThan(500);
    // One grant, one refused poll; the slot never left this process.
    expect(calls).toEqual({ evalsha: 2, zrem: 0 });
    expect(await redis.zcard(key)).toBe(1);
    await second!();
    expect(await redis.zcard(key)).toBe(0);
  });
});


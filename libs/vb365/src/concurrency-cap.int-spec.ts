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

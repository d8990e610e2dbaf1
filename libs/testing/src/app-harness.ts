import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { repoRoot } from '@app/common';
import { nodeArgsFromEnv, ReadyProcess, spawnReady } from './process-harness';

export interface AppEnv {
  DATABASE_URL: string;
  QUEUE_PREFIX: string;
  [key: string]: string;
}

/** A unique BullMQ prefix (a Redis Cluster hash tag) per test file, so files never see each other's jobs. */
export function testQueuePrefix(): string {
  return `{t-${randomBytes(5).toString('hex')}}`;
}

/** Spawns the api; API_NODE_ARGS adds node/V8 flags (diagnostics, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`). */
export function startApi(env: AppEnv): Promise<ReadyProcess<{ url: string }>> {
  return spawnReady(
    'apps/api/src/main.js',
    'API_READY',
    { ...launchSettings().SERVICE_PROCESS_ENV, API_HOST: '127.0.0.1', API_PORT: '0', LOG_FORMAT: 'json', ...env },
    30_000,
    nodeArgsFromEnv('API_NODE_ARGS'),
  );
}

interface LaunchSettings {
  WORKER_NODE_FLAGS: string[];
  SERVICE_PROCESS_ENV: Record<string, string>;
}

/** apps/worker/node-flags.cjs: the one place the worker's V8 flags and the services' process environment are written. */
function launchSettings(): LaunchSettings {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(join(repoRoot(), 'apps', 'worker', 'node-flags.cjs')) as LaunchSettings;
}

/** The V8 flags every worker launch uses. */
export function workerNodeFlags(): string[] {
  return [...launchSettings().WORKER_NODE_FLAGS];
}

/** Spawns the worker with its V8 flags (workerNodeFlags) followed by `execArgv` (later flags win). */
export function startWorker(env: AppEnv, execArgv: string[] = []): Promise<ReadyProcess<{ url: string }>> {
  return spawnReady(
    'apps/worker/src/main.js',
    'WORKER_READY',
    { ...launchSettings().SERVICE_PROCESS_ENV, WORKER_HOST: '127.0.0.1', WORKER_HEALTH_PORT: '0', LOG_FORMAT: 'json', ...env },
    30_000,
    [...workerNodeFlags(), ...execArgv],
  );
}

/** Deletes every key under a test's queue prefix. */
export async function deleteQueueKeys(redisUrl: string, prefix: string): Promise<void> {
  const { default: Redis } = await import('ioredis');
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/*
 * Test helper process for the cross-process cap test: fires `requests` concurrent calls at vb365-sim through a
 * Vb365Client whose cap is held in Redis. Arguments (not env: this is a library): baseUrl caPath prefix max requests mode.
 */
import Redis from 'ioredis';
import { Vb365Client } from '../vb365.client';
import { SIM_PASSWORD, SIM_USER } from './vb365-fixtures';

async function run(): Promise<void> {
  const [baseUrl, caBundlePath, keyPrefix, max, requests, mode] = process.argv.slice(2);
  const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: false });
  const client = new Vb365Client({
    baseUrl: baseUrl!,
    username: SIM_USER,
    password: SIM_PASSWORD,
    caBundlePath,
    redis,
    keyPrefix,
    maxConcurrent: Number(max),
    concurrency: mode === 'local' ? 'local' : 'redis',
  });
  await client.organizations.serviceInstance();
  await Promise.all(Array.from({ length: Number(requests) }, () => client.organizations.restorePortalSettings()));
  await client.close();
  await redis.quit();
  console.log('CAP_WORKER_DONE');
}

run().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

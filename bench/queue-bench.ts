/**
 * Scenario 6: queueing. With `tenants` tenants seeded straight into Postgres (no worker running, so nothing is
 * consumed while we measure):
 *  - enqueue rate of one bulk onboarding run over all of them through the product path (BatchService.create, then
 *    the fan-out the worker would run: runs and steps rows in Postgres, addBulk per page of 500) vs raw BullMQ
 *    addBulk of the same number of jobs (same payload shape, same pages) on the same Redis;
 *  - registering one sync schedule per tenant through the product path (SyncScheduler.reconcileAll) vs raw
 *    sequential upsertJobScheduler calls with the same schedules.
 * The product services run in this process in a Nest application context built from the real modules.
 */
import { randomUUID } from 'node:crypto';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Queue } from 'bullmq';
import { ConfigModule } from '@app/config';
import { DbModule, UNRESTRICTED } from '@app/db';
import { JobsModule, redisOptionsFromUrl } from '@app/jobs';
import { BatchService, RunLauncher, SyncScheduler } from '@app/onboarding';
import { createTestDatabase, deleteQueueKeys, testQueuePrefix } from '@app/testing';
import { Figure } from './lib/report';
import { seedTenants } from './lib/seed';

@Module({ imports: [ConfigModule, DbModule, JobsModule.forRoot()], providers: [RunLauncher, BatchService, SyncScheduler] })
class QueueBenchModule {}

const PAGE = 500;
const seconds = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e9;

export async function queueScenario(o: { tenants: number; redisUrl: string }): Promise<{ figures: Figure[]; raw: Record<string, number> }> {
  const db = await createTestDatabase();
  const prefix = testQueuePrefix();
  const rawPrefix = testQueuePrefix();
  // The product's configuration is read from the environment (libs/config), as in the api and the worker;
  // restored afterwards so later scenarios start from the caller's environment.
  const productEnv = { DATABASE_URL: db.url, QUEUE_PREFIX: prefix, REDIS_URL: o.redisUrl, LOG_LEVEL: 'warn' };
  const saved = Object.fromEntries(Object.keys(productEnv).map((k) => [k, process.env[k]]));
  Object.assign(process.env, productEnv);
  const app = await NestFactory.createApplicationContext(QueueBenchModule, { logger: ['error', 'warn'] });
  const raw = new Queue('runs', { connection: redisOptionsFromUrl(o.redisUrl), prefix: rawPrefix });
  try {
    const ids = await seedTenants(db.url, o.tenants);
    const batches = app.get(BatchService);
    const scheduler = app.get(SyncScheduler);

    // Product: the bulk path, from the batch row to every run job in Redis.
    let t0 = process.hrtime.bigint();
    const correlationId = randomUUID();
    const batch = await batches.create(UNRESTRICTED, { kind: 'onboard' }, 'bench', correlationId);
    const fan = await batches.fanOut(batch.id, correlationId);
    const productEnqueueS = seconds(t0);
    if (fan.created !== o.tenants) throw new Error(`fan-out created ${fan.created} runs, expected ${o.tenants}`);

    // Reference: raw addBulk of the same number of jobs, same pages and payload shape, no Postgres.
    t0 = process.hrtime.bigint();
    for (let i = 0; i < ids.length; i += PAGE) {
      await raw.addBulk(
        ids.slice(i, i + PAGE).map((tenantId) => {
          const runId = randomUUID();
          return { name: 'run.execute', data: { runId, tenantId, correlationId }, opts: { jobId: `run-${runId}`, priority: 10 } };
        }),
      );
    }
    const rawEnqueueS = seconds(t0);
    const rawCount = await raw.count();
    if (rawCount !== o.tenants) throw new Error(`raw queue holds ${rawCount} jobs, expected ${o.tenants}`);

    // Product: one scheduler per active tenant, as the worker registers them at start.
    t0 = process.hrtime.bigint();
    const reconciled = await scheduler.reconcileAll();
    const productSchedulesS = seconds(t0);
    if (reconciled.registered !== o.tenants) throw new Error(`registered ${reconciled.registered} schedules, expected ${o.tenants}`);

    // Reference: raw upsertJobScheduler, one call after the other like the product, same schedules.
    t0 = process.hrtime.bigint();
    const every = 15 * 60_000;
    for (const [i, tenantId] of ids.entries()) {
      await raw.upsertJobScheduler(`tenant-sync:${tenantId}`, { every, offset: (i * 7919) % every }, { name: 'audit.sync-tenant', data: { tenantId, correlationId } });
    }
    const rawSchedulesS = seconds(t0);
    const rawSchedulers = await raw.getJobSchedulersCount();
    if (rawSchedulers !== o.tenants) throw new Error(`raw queue holds ${rawSchedulers} schedulers, expected ${o.tenants}`);

    const n = o.tenants;
    const scenario = `6 queueing, ${n.toLocaleString('en-US')} tenants`;
    console.log(
      `  bulk enqueue: product ${productEnqueueS.toFixed(2)} s vs raw addBulk ${rawEnqueueS.toFixed(2)} s; ` +
        `schedules: product ${productSchedulesS.toFixed(2)} s vs raw upsertJobScheduler ${rawSchedulesS.toFixed(2)} s`,
    );
    return {
      figures: [
        {
          scenario,
          metric: 'bulk run enqueue rate (batch + fan-out)',
          value: Math.round(n / productEnqueueS),
          unit: 'jobs/s',
          reference: { label: 'raw BullMQ addBulk', value: Math.round(n / rawEnqueueS), unit: 'jobs/s' },
          ratio: rawEnqueueS / productEnqueueS,
        },
        { scenario, metric: 'bulk run enqueue time', value: +productEnqueueS.toFixed(2), unit: 's', reference: { label: 'raw BullMQ addBulk', value: +rawEnqueueS.toFixed(2), unit: 's' }, ratio: productEnqueueS / rawEnqueueS },
        {
          scenario,
          metric: 'register sync schedules (reconcileAll)',
          value: +productSchedulesS.toFixed(2),
          unit: 's',
          reference: { label: 'raw upsertJobScheduler', value: +rawSchedulesS.toFixed(2), unit: 's' },
          ratio: productSchedulesS / rawSchedulesS,
        },
      ],
      raw: { productEnqueueS, rawEnqueueS, productSchedulesS, rawSchedulesS },
    };
  } finally {
    await raw.close();
    await app.close();
    await deleteQueueKeys(o.redisUrl, prefix);
    await deleteQueueKeys(o.redisUrl, rawPrefix);
    await db.drop();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

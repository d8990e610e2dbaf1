import { ModuleRef } from '@nestjs/core';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { AppConfig, parseConfig } from '@app/config';
import { PrismaService } from '@app/db';
import { JobProducer, redisOptionsFromUrl } from '@app/jobs';
import { createTestDatabase, deleteQueueKeys, TestDatabase, testQueuePrefix } from '@app/testing';
import { runJobId, RunLauncher } from './run-launcher.service';
import { RunReaper } from './run-reaper.service';
import { TenantOutcomes } from './tenant-outcomes.service';

/** The reaper against real Postgres and a real BullMQ queue: stuck runs fail with a reason, orphans are requeued. */
describe('RunReaper', () => {
  let db: TestDatabase;
  let prisma: PrismaService;
  let queue: Queue;
  let reaper: RunReaper;
  let launcher: RunLauncher;
  const prefix = testQueuePrefix();
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

  beforeAll(async () => {
    db = await createTestDatabase();
    const config: AppConfig = parseConfig({ DATABASE_URL: db.url, QUEUE_PREFIX: prefix, RUN_STUCK_AFTER_MINUTES: '30' });
    prisma = new PrismaService(config);
    queue = new Queue('runs', { connection: redisOptionsFromUrl(redisUrl), prefix });
    // The real producer looks queues up in Nest's container; here that container holds the one real queue.
    const producer = new JobProducer({ get: () => queue } as unknown as ModuleRef);
    const outcomes = new TenantOutcomes(prisma);
    launcher = new RunLauncher(prisma, producer);
    reaper = new RunReaper(prisma, producer, launcher, outcomes, config);
  });

  afterAll(async () => {
    await queue?.close();
    await prisma?.$disconnect();
    await deleteQueueKeys(redisUrl, prefix);
    await db?.drop();
  });

  const tenant = (name: string) => prisma.tenant.create({ data: { displayName: name, entraTenantId: null, status: 'onboarding' } });

  it('fails a run whose steps made no progress beyond the bound, and frees its tenant', async () => {
    const t = await tenant('Stuck');
    const run = await launcher.create(t.id, { kind: 'onboard', requestedBy: 'test', correlationId: 'c1' });
    const hourAgo = new Date(Date.now() - 60 * 60_000);
    await prisma.run.update({ where: { id: run.id }, data: { status: 'running', startedAt: hourAgo } });
    await prisma.runStep.updateMany({ where: { runId: run.id, name: 'verify-access' }, data: { status: 'running', startedAt: hourAgo } });
    const fresh = await tenant('Busy');
    const busy = await launcher.create(fresh.id, { kind: 'onboard', requestedBy: 'test', correlationId: 'c2' });
    await prisma.run.update({ where: { id: busy.id }, data: { status: 'running', startedAt: new Date() } });

    const r = await reaper.reap();
    expect(r.failed).toEqual([run.id]);
    const after = await prisma.run.findUniqueOrThrow({ where: { id: run.id } });
    expect(after).toMatchObject({ status: 'failed', errorCode: 'RUN_STUCK', activeTenantId: null });
    expect(after.errorHint).toMatch(/retry/i);
    expect((await prisma.run.findUniqueOrThrow({ where: { id: busy.id } })).status).toBe('running');
  });

  it('re-enqueues a queued run whose job was lost, once', async () => {
    const t = await tenant('Orphan');
    const run = await launcher.create(t.id, { kind: 'onboard', requestedBy: 'test', correlationId: 'c3' });
    await prisma.$executeRawUnsafe(`UPDATE runs SET updated_at = now() - interval '10 minutes' WHERE id = '${run.id}'`);
    expect(await queue.getJob(runJobId(run.id))).toBeUndefined();
    expect((await reaper.reap()).requeued).toEqual([run.id]);
    expect(await queue.getJob(runJobId(run.id))).toBeDefined();
    expect((await reaper.reap()).requeued).toEqual([]);
  });

  it('re-enqueues a running run whose job BullMQ failed as stalled too often (found by npm run chaos)', async () => {
    const t = await tenant('Stalled');
    const run = await launcher.create(t.id, { kind: 'onboard', requestedBy: 'test', correlationId: 'c4' });
    const fiveMinutesAgo = new Date(Date.now() - 5 * 60_000);
    await prisma.run.update({ where: { id: run.id }, data: { status: 'running', startedAt: fiveMinutesAgo } });
    await prisma.runStep.updateMany({ where: { runId: run.id, name: 'verify-access' }, data: { status: 'running', startedAt: fiveMinutesAgo } });
    // What BullMQ's stalled check leaves behind: the job in the failed set.
    await launcher.enqueue(run);
    const job = (await queue.getJob(runJobId(run.id)))!;
    const redis = new Redis(redisUrl);
    await redis.lrem(`${prefix}:runs:wait`, 0, job.id!);
    await redis.zadd(`${prefix}:runs:failed`, Date.now(), job.id!);
    await redis.hset(`${prefix}:runs:${job.id}`, 'failedReason', 'job stalled more than allowable limit');
    redis.disconnect();
    expect(await job.getState()).toBe('failed');

    expect((await reaper.reap()).requeued).toEqual([run.id]);
    expect(await (await queue.getJob(runJobId(run.id)))!.getState()).toBe('waiting');
    expect((await prisma.run.findUniqueOrThrow({ where: { id: run.id } })).status).toBe('running');
    expect((await reaper.reap()).requeued).toEqual([]);
  });
});

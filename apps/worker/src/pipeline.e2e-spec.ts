import { issueApiKey, PrismaService } from '@app/db';
import { parseConfig } from '@app/config';
import {
  createTestDatabase,
  deleteQueueKeys,
  ReadyProcess,
  startApi,
  startWorker,
  TestDatabase,
  testQueuePrefix,
} from '@app/testing';

/**
 * api and worker as separate processes, driven through HTTP: the probe round trip, correlation ids in worker
 * logs, and graceful shutdown of both with work in flight.
 */
describe('api → queue → worker → Postgres', () => {
  let db: TestDatabase;
  let prisma: PrismaService;
  let key: string;
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = testQueuePrefix();
  const procs: ReadyProcess<{ url: string }>[] = [];
  const env = (): { DATABASE_URL: string; QUEUE_PREFIX: string; LOG_LEVEL: string; WORKER_SHUTDOWN_TIMEOUT_MS: string } => ({
    DATABASE_URL: db.url,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'info',
    WORKER_SHUTDOWN_TIMEOUT_MS: '10000',
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    prisma = new PrismaService(parseConfig({ DATABASE_URL: db.url }));
    key = (await issueApiKey(prisma, { name: 'e2e', scopes: ['admin'], tenantTags: [] })).key;
  });

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop(2000)));
    await prisma?.$disconnect();
    await deleteQueueKeys(redisUrl, prefix);
    await db?.drop();
  });

  const probe = (apiUrl: string, body: object, requestId: string) =>
    fetch(`${apiUrl}/v1/probes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-request-id': requestId },
      body: JSON.stringify(body),
    });

  it('processes a probe end to end and carries the correlation id into the worker logs', async () => {
    const worker = await startWorker(env());
    const api = await startApi(env());
    procs.push(worker, api);
    const res = await probe(api.info.url, { wait: true, message: 'e2e' }, 'e2e-corr-1');
    expect(res.status).toBe(201);
    expect(res.headers.get('x-request-id')).toBe('e2e-corr-1');
    const body = (await res.json()) as { id: string; status: string; roundTripMs: number; processedBy: string };
    expect(body.status).toBe('processed');
    const row = await prisma.probe.findUniqueOrThrow({ where: { id: body.id } });
    expect(row.status).toBe('processed');
    expect(row.correlationId).toBe('e2e-corr-1');
    expect(worker.output()).toContain('"correlationId":"e2e-corr-1"');
    const ready = await fetch(`${worker.info.url}/health/ready`);
    expect(ready.status).toBe(200);
    const metrics = await (await fetch(`${worker.info.url}/metrics`)).text();
    expect(metrics).toMatch(/jobs_completed_total\{queue="system",name="system.probe"\} 1/);
  });

  it('drains on SIGTERM: the worker finishes its active job, the api its in-flight request, both exit 0', async () => {
    const [worker, api] = procs as [ReadyProcess<{ url: string }>, ReadyProcess<{ url: string }>];
    // A probe whose job takes 1.5 s, requested with wait=true: both processes have work in flight.
    const inFlight = probe(api.info.url, { wait: true, workMs: 1500 }, 'e2e-drain');
    await new Promise((r) => setTimeout(r, 400));
    const [workerExit, apiExit, res] = await Promise.all([worker.stop(), api.stop(), inFlight]);
    expect(res.status).toBe(201);
    const body = (await res.json()) as { id: string; status: string };
    expect(body.status).toBe('processed');
    expect(workerExit).toBe(0);
    expect(apiExit).toBe(0);
    expect(worker.output()).toContain('workers closed (drained)');
    // New connections are refused once the api has stopped.
    await expect(fetch(`${api.info.url}/health/live`)).rejects.toThrow();
  });

  it('releases an over-long job at the shutdown bound so another worker completes it', async () => {
    const short = { ...env(), WORKER_SHUTDOWN_TIMEOUT_MS: '300' };
    const first = await startWorker(short);
    const api = await startApi(env());
    procs.push(first, api);
    const res = await probe(api.info.url, { wait: false, workMs: 3000 }, 'e2e-release');
    const { id } = (await res.json()) as { id: string };
    await new Promise((r) => setTimeout(r, 500));
    expect(await first.stop()).toBe(0);
    expect(first.output()).toContain('workers closed (released)');
    expect((await prisma.probe.findUniqueOrThrow({ where: { id } })).status).toBe('queued');
    // The lock (10 s) expires and the stalled-job check (every 5 s) hands the job to the fresh worker.
    const second = await startWorker(env());
    procs.push(second);
    const deadline = Date.now() + 60_000;
    let status = 'queued';
    while (status !== 'processed' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      status = (await prisma.probe.findUniqueOrThrow({ where: { id } })).status;
    }
    expect(status).toBe('processed');
  });
});

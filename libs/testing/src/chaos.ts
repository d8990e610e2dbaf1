import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import { repoRoot, sleep } from '@app/common';
import { parseConfig } from '@app/config';
import { applyMigrations, PrismaService } from '@app/db';
import { prng } from '@app/sim-kit';
import { startApi, startWorker, testQueuePrefix } from './app-harness';
import { killOnExit, ManagedPostgres, ManagedRedis, startManagedPostgres, startManagedRedis } from './managed-services';
import { ReadyProcess } from './process-harness';
import { apiCaller, declareHelpdeskRole, simulatorEnv } from './onboarding-stack';
import { buildScenario } from './scenario';
import { issueTestApiKey, registerSeededSecret } from './test-secrets';
import { startSimulator } from './simulator-harness';

export type ChaosFaultKind = 'kill-worker' | 'restart-redis' | 'restart-postgres';

export interface ChaosOptions {
  /** Tenants in the bulk onboarding. */
  tenants: number;
  /** Every n-th tenant has no VB365 organization: its correct outcome is failed / ORGANIZATION_NOT_FOUND. */
  organizationMissingEvery: number;
  workers: number;
  workerConcurrency: number;
  workerKills: number;
  redisRestarts: number;
  postgresRestarts: number;
  /** How long Redis / Postgres stay down during a restart. */
  downMs: number;
  /** Injected by both simulators on every call (replication lag: entra-sim, on `replicationLagShare` of tenants). */
  faults: { throttleRate: number; retryAfterSeconds: [number, number]; error503Rate: number; resetRate: number; latencyMs: number; jitterMs: number };
  replicationLagShare: number;
  replicationLagMs: number;
  /** Faults fire when this share of the expected step completions is reached, spread at random in [from, to]. */
  faultWindow: [number, number];
  timeoutMs: number;
  webhookTimeoutMs: number;
  seed?: number;
  log?: (line: string) => void;
}

export interface ChaosFaultRecord {
  kind: ChaosFaultKind;
  target?: string;
  at: string;
  /** Share of expected step completions when the fault fired. */
  atProgress: number;
  /** Fault start → the killed process was replaced / the service accepted connections again. */
  restoredMs: number;
  /** Fault start → the first step completed after the service was back (the queue progressed again). */
  progressMs: number | null;
  /** Fault start → every run that was running when the fault hit had made progress (or finished). */
  inFlightResumedMs: number | null;
  inFlightRuns: number;
}

export interface ChaosReport {
  options: Omit<ChaosOptions, 'log'>;
  startedAt: string;
  wallMs: number;
  faults: ChaosFaultRecord[];
  faultsNotInjected: ChaosFaultKind[];
  tenantStatus: Record<string, number>;
  /** Tenants whose end state is not `active`, nor `failed` with ORGANIZATION_NOT_FOUND when their organization is missing. */
  wrongOutcomes: { tenantId: string; runId?: string; status: string; errorCode: string | null; expected: string; step?: string; message?: string | null }[];
  /** Processes that exited without being killed by the plan (a supervisor would restart them; workers are replaced). */
  unplannedExits: { process: 'worker' | 'api'; pid: number; at: string; code: number | null; signal: string | null; lastLines: string[] }[];
  /** Error-level log lines of the worker processes (killed ones included), for diagnosing a FAIL. */
  workerErrors: string[];
  duplicateWrites: number;
  duplicateWriteDetail: { tenantId: string; sim: string; kind: string; writes: number; reference: number }[];
  retryAfterViolations: { entra: number; vb365: number; vb365Kinds: Record<string, number>; entraLog: EntraViolation[] };
  lostRuns: number;
  lostRunIds: string[];
  /** BullMQ's view of each lost run's job (state, failedReason), for diagnosis. */
  lostRunJobs: { runId: string; state: string; failedReason?: string; attemptsMade?: number }[];
  webhook: { expected: number; received: number; lost: number; duplicatesDelivered: number; lostRunIds: string[] };
  injected: { entraRequests: number; vb365Requests: number; vb365InjectedFaults: number };
  pass: boolean;
  failures: string[];
}

/** entra-sim's record of one Retry-After violation (GET /_sim/stats `retryAfterViolationLog`). */
export interface EntraViolation {
  at: string;
  tenantId: string;
  appId: string;
  request: string;
  earlyMs: number;
  throttledRequest: string;
  throttledAt: string;
}

interface EntraStats {
  tenants: Record<string, { requests: number; writes: Record<string, number>; retryAfterViolations: number }>;
  retryAfterViolationLog?: EntraViolation[];
}
interface VbStats {
  requests: number;
  injectedFaults: number;
  retryAfterViolations?: number;
  retryAfterViolationKinds?: Record<string, number>;
  byOrganization: Record<string, { writes: number; byKind: Record<string, { requests: number; writes: number }> }>;
}


/** Receives outbound webhooks (run.succeeded / run.failed) and counts them by event id. */
async function startReceiver(): Promise<{ server: Server; url: string; events: Map<string, { type: string; runId: string; count: number }> }> {
  const events = new Map<string, { type: string; runId: string; count: number }>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      try {
        const e = JSON.parse(body) as { id: string; type: string; data: { runId?: string } };
        const seen = events.get(e.id);
        if (seen) seen.count += 1;
        else events.set(e.id, { type: e.type, runId: e.data.runId ?? '', count: 1 });
        res.writeHead(204).end();
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/chaos-hooks`, events };
}

interface Progress {
  created: number;
  done: number;
  steps: number;
}

/** One short-lived connection per poll, so polling survives the Postgres restart it is measuring. */
async function query<T>(url: string, sql: string, params: unknown[]): Promise<T[] | undefined> {
  const c = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  // The restart being measured can end the connection between the query and end(): node-postgres then emits
  // 'error' on the idle client, which without a listener killed the chaos runner itself (session 4).
  c.on('error', () => undefined);
  try {
    await c.connect();
    return (await c.query(sql, params)).rows as T[];
  } catch {
    return undefined;
  } finally {
    await c.end().catch(() => undefined);
  }
}

const PROGRESS_SQL = `SELECT
  (SELECT count(*) FROM runs WHERE batch_id = $1)::int AS created,
  (SELECT count(*) FROM runs WHERE batch_id = $1 AND status IN ('succeeded', 'failed', 'cancelled'))::int AS done,
  (SELECT count(*) FROM run_steps s JOIN runs r ON r.id = s.run_id WHERE r.batch_id = $1 AND s.status IN ('succeeded', 'skipped'))::int AS steps`;

const IN_FLIGHT_SQL = `SELECT r.id, r.status,
  GREATEST(r.started_at, max(s.started_at), max(s.finished_at), r.finished_at) AS last
  FROM runs r LEFT JOIN run_steps s ON s.run_id = r.id WHERE r.id = ANY($1::uuid[]) GROUP BY r.id`;

/**
 * `npm run chaos` and its reduced version in `npm test`: a bulk onboarding through injected 429/503/reset/lag
 * faults while worker processes are SIGKILLed and Redis and Postgres (our own instances) restart. Returns the
 * report; `pass` is true when every tenant ended active or with its correct permanent error, with zero duplicate
 * writes, zero Retry-After violations, zero lost runs and zero lost outbound webhook events.
 */
export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const log = opts.log ?? (() => undefined);
  const rnd = prng(opts.seed ?? Date.now());
  const startedAt = new Date();
  const cleanup: (() => Promise<unknown>)[] = [];
  let pg: ManagedPostgres | undefined;
  let redis: ManagedRedis | undefined;
  try {
    log('starting our own PostgreSQL cluster and Redis (AOF)…');
    [pg, redis] = await Promise.all([startManagedPostgres(), startManagedRedis()]);
    cleanup.push(() => redis!.stop(), () => pg!.stop());
    const adminClient = new Client({ connectionString: pg.adminUrl });
    await adminClient.connect();
    await adminClient.query('CREATE DATABASE orchestrator_chaos');
    await adminClient.end();
    const dbUrl = pg.urlFor('orchestrator_chaos');
    await applyMigrations({ databaseUrl: dbUrl, migrationsDir: join(repoRoot(), 'prisma', 'migrations') });

    const [entra, vb365] = await Promise.all([startSimulator('entra-sim'), startSimulator('vb365-sim')]);
    killOnExit(entra.process);
    killOnExit(vb365.process);
    cleanup.push(() => entra.stop(), () => vb365.stop());
    const N = opts.tenants;
    // Two reference tenants (indexes N, N+1) are onboarded cleanly first: their writes are the per-tenant baseline.
    const missing = new Set<number>([N + 1]);
    for (let i = 0; i < N; i++) if (i % opts.organizationMissingEvery === opts.organizationMissingEvery - 1) missing.add(i);
    const publicBaseUrl = 'http://127.0.0.1:3000';
    const scenario = buildScenario({
      tenants: N + 2,
      seed: `chaos-${randomBytes(3).toString('hex')}`,
      preconsented: Array.from({ length: N + 2 }, (_, i) => i),
      organizationMissing: [...missing],
      redirectUri: `${publicBaseUrl}/v1/consent/callback`,
    });
    await entra.admin('/_sim/seed', scenario.entraSeed, 'POST', 'identity');
    await vb365.admin('/_sim/seed', scenario.vb365Seed);

    const env: Record<string, string> & { DATABASE_URL: string; QUEUE_PREFIX: string } = {
      DATABASE_URL: dbUrl,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: testQueuePrefix(),
      LOG_LEVEL: 'warn',
      PUBLIC_BASE_URL: publicBaseUrl,
      ...simulatorEnv(scenario, entra, vb365),
      SECRET_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      WORKER_CONCURRENCY: String(opts.workerConcurrency),
      VB365_MAX_CONCURRENT: String(Math.max(8, opts.workerConcurrency)),
    };
    const prisma = new PrismaService(parseConfig({ DATABASE_URL: dbUrl }));
    cleanup.push(() => prisma.$disconnect());
    const apiKey = (await issueTestApiKey(prisma, { name: 'chaos-admin', scopes: ['admin'], tenantTags: [] })).key;

    const workers = new Set<ReadyProcess<{ url: string }>>();
    const everyWorker: ReadyProcess<{ url: string }>[] = [];
    const unplannedExits: ChaosReport['unplannedExits'] = [];
    let stopping = false;
    // Acts as the supervisor (systemd, Kubernetes): a worker that exits on its own is recorded and replaced.
    const spawnWorker = async (): Promise<ReadyProcess<{ url: string }>> => {
      const w = await startWorker(env);
      killOnExit(w.process);
      workers.add(w);
      everyWorker.push(w);
      w.process.once('exit', (code, signal) => {
        if (stopping || !workers.has(w)) return; // stopped by us, or a planned kill
        workers.delete(w);
        const lastLines = w.output().trim().split('\n').slice(-8).map((l) => l.slice(0, 400));
        unplannedExits.push({ process: 'worker', pid: w.process.pid ?? 0, at: new Date().toISOString(), code, signal, lastLines });
        log(`UNPLANNED worker exit (pid ${w.process.pid}, code ${code}, signal ${signal}); starting a replacement`);
        void (async () => {
          while (!stopping) {
            try {
              return void (await spawnWorker());
            } catch {
              await sleep(1000);
            }
          }
        })();
      });
      return w;
    };
    cleanup.push(async () => {
      stopping = true;
      await Promise.all([...workers].map((w) => w.stop(5000)));
    });
    const [api] = await Promise.all([startApi(env), ...Array.from({ length: opts.workers }, spawnWorker)]);
    killOnExit(api.process);
    api.process.once('exit', (code, signal) => {
      if (stopping) return;
      unplannedExits.push({ process: 'api', pid: api.process.pid ?? 0, at: new Date().toISOString(), code, signal, lastLines: api.output().trim().split('\n').slice(-3) });
      log(`UNPLANNED api exit (code ${code}, signal ${signal})`);
    });
    cleanup.push(() => api.stop(5000));
    const call = apiCaller(api.info.url, apiKey);

    const receiver = await startReceiver();
    cleanup.push(() => new Promise((r) => receiver.server.close(r)));
    // Runs first (cleanup runs in reverse): exits from here on are ours, not faults.
    cleanup.push(async () => {
      stopping = true;
    });
    const sub = await call<{ id: string; secret: string }>('POST', '/v1/webhook-subscriptions', { url: receiver.url, events: ['run.succeeded', 'run.failed'] });
    if (sub.status !== 201) throw new Error(`webhook subscription answered ${sub.status}: ${JSON.stringify(sub.body)}`);
    registerSeededSecret('webhook subscription secret', sub.body.secret); // the whole-run log scan looks for it

    // Tenants and their declared role, straight into Postgres (the API path is tested on its own).
    const ids = new Map<number, string>();
    for (const t of scenario.tenants) {
      const row = await prisma.tenant.create({
        data: { entraTenantId: t.entraTenantId, primaryDomain: t.domain, displayName: t.displayName, consentMode: 'preconsented', status: 'awaiting_consent' },
      });
      ids.set(t.index, row.id);
    }
    await declareHelpdeskRole(prisma, [...ids.values()]);

    // Reference onboarding without faults.
    log('reference onboarding of 2 tenants without faults…');
    for (const i of [N, N + 1]) {
      const r = await call<{ id: string }>('POST', `/v1/tenants/${ids.get(i)}/runs`, { kind: 'onboard' });
      if (r.status !== 202) throw new Error(`reference run answered ${r.status}`);
      const deadline = Date.now() + 60_000;
      for (;;) {
        const { body } = await call<{ status: string }>('GET', `/v1/runs/${r.body.id}`);
        if (['succeeded', 'failed'].includes(body.status)) break;
        if (Date.now() > deadline) throw new Error(`reference run ${r.body.id} still ${body.status}`);
        await sleep(200);
      }
    }

    const f = opts.faults;
    const global = { throttleRate: f.throttleRate, retryAfterSeconds: f.retryAfterSeconds, error503Rate: f.error503Rate, resetRate: f.resetRate, latencyMs: f.latencyMs, jitterMs: f.jitterMs };
    const lagged = scenario.tenants.slice(0, N).filter(() => rnd() < opts.replicationLagShare);
    if (!lagged.length && opts.replicationLagShare > 0) lagged.push(scenario.tenants[Math.floor(rnd() * N)]!);
    await entra.admin(
      '/_sim/faults',
      { global, tenants: Object.fromEntries(lagged.map((t) => [t.entraTenantId, { replicationLagMs: opts.replicationLagMs }])) },
      'PUT',
      'identity',
    );
    await vb365.admin('/_sim/faults', { global }, 'PUT');

    // The fault plan: kinds in random order at random points of the run.
    const plan: ChaosFaultKind[] = [
      ...Array<ChaosFaultKind>(opts.workerKills).fill('kill-worker'),
      ...Array<ChaosFaultKind>(opts.redisRestarts).fill('restart-redis'),
      ...Array<ChaosFaultKind>(opts.postgresRestarts).fill('restart-postgres'),
    ]
      .map((kind) => ({ kind, key: rnd() }))
      .sort((a, b) => a.key - b.key)
      .map((x) => x.kind);
    const [from, to] = opts.faultWindow;
    const points = plan.map(() => from + rnd() * (to - from)).sort((a, b) => a - b);
    const tenantIds = Array.from({ length: N }, (_, i) => ids.get(i)!);
    const expectedSteps = tenantIds.length * 6 - missing.size * 2;

    log(`bulk onboarding of ${N} tenants; faults: ${plan.join(', ')} at ${points.map((p) => `${Math.round(p * 100)} %`).join(', ')} of the steps`);
    const t0 = Date.now();
    const accepted = await call<{ batchId: string }>('POST', '/v1/runs/bulk', { kind: 'onboard', tenantIds });
    if (accepted.status !== 202) throw new Error(`bulk answered ${accepted.status}: ${JSON.stringify(accepted.body)}`);
    const batchId = accepted.body.batchId;
    let last: Progress = { created: 0, done: 0, steps: 0 };
    const poll = async (): Promise<Progress | undefined> => {
      const rows = await query<Progress>(dbUrl, PROGRESS_SQL, [batchId]);
      if (rows?.[0]) last = rows[0];
      return rows?.[0];
    };
    const finished = () => last.created === N && last.done === N;
    const deadline = t0 + opts.timeoutMs;
    let lastLog = 0;
    const tick = async () => {
      await poll();
      if (Date.now() - lastLog > 5000) {
        lastLog = Date.now();
        log(`  ${((Date.now() - t0) / 1000).toFixed(0)} s: ${last.done}/${N} runs finished, ${last.steps} steps, ${workers.size} workers`);
      }
      await sleep(250);
    };

    const records: ChaosFaultRecord[] = [];
    const monitors: Promise<void>[] = [];
    const notInjected: ChaosFaultKind[] = [];
    for (let k = 0; k < plan.length; k++) {
      const kind = plan[k]!;
      while (!finished() && Date.now() < deadline && last.steps < points[k]! * expectedSteps) await tick();
      if (finished() || Date.now() >= deadline) {
        notInjected.push(...plan.slice(k));
        break;
      }
      const inFlight = (await query<{ id: string }>(dbUrl, `SELECT id FROM runs WHERE batch_id = $1 AND status = 'running'`, [batchId]))?.map((r) => r.id) ?? [];
      const at = Date.now();
      const atProgress = last.steps / expectedSteps;
      let target: string | undefined;
      log(`FAULT ${kind} at ${((at - t0) / 1000).toFixed(1)} s (${Math.round(atProgress * 100)} % of steps, ${inFlight.length} runs in flight)`);
      if (kind === 'kill-worker') {
        const victim = [...workers][Math.floor(rnd() * workers.size)]!;
        target = `pid ${victim.process.pid}`;
        victim.process.kill('SIGKILL');
        workers.delete(victim);
        await spawnWorker(); // the supervisor (systemd, Kubernetes) starts a replacement
      } else if (kind === 'restart-redis') {
        await redis.restart({ downMs: opts.downMs });
      } else {
        await pg.restart({ crash: true, downMs: opts.downMs });
      }
      const restoredMs = Date.now() - at;
      await poll();
      const stepsBack = last.steps;
      const record: ChaosFaultRecord = { kind, target, at: new Date(at).toISOString(), atProgress: +atProgress.toFixed(3), restoredMs, progressMs: null, inFlightResumedMs: null, inFlightRuns: inFlight.length };
      records.push(record);
      // The runs in flight at the fault are watched in the background while the next faults fire.
      monitors.push(
        (async () => {
          while (Date.now() < deadline) {
            const rows = await query<{ id: string; status: string; last: Date | null }>(dbUrl, IN_FLIGHT_SQL, [inFlight]);
            if (rows && rows.every((r) => r.status !== 'running' || (r.last !== null && r.last.getTime() > at))) {
              record.inFlightResumedMs = Date.now() - at;
              return;
            }
            await sleep(250);
          }
        })(),
      );
      // The next fault waits until the queue progressed again.
      while (Date.now() < deadline && record.progressMs === null) {
        await tick();
        if (last.steps > stepsBack || finished()) record.progressMs = Date.now() - at;
      }
      log(`  back after ${restoredMs} ms, queue progressed after ${record.progressMs ?? '—'} ms`);
    }
    while (!finished() && Date.now() < deadline) await tick();
    const wallMs = Date.now() - t0;
    await Promise.all(monitors);
    records.forEach((r) => log(`${r.kind}: in-flight runs (${r.inFlightRuns}) resumed after ${r.inFlightResumedMs ?? '—'} ms`));
    log(`bulk ${finished() ? 'finished' : 'NOT finished'} after ${(wallMs / 1000).toFixed(1)} s`);

    // Outcomes, from a fresh connection.
    const runs = (await query<{ id: string; tenant_id: string; status: string; error_code: string | null }>(
      dbUrl,
      `SELECT DISTINCT ON (tenant_id) id, tenant_id, status, error_code FROM runs WHERE tenant_id = ANY($1::uuid[]) AND batch_id = $2 ORDER BY tenant_id, created_at DESC`,
      [tenantIds, batchId],
    )) ?? [];
    const tenants = (await query<{ id: string; status: string }>(dbUrl, `SELECT id, status FROM tenants WHERE id = ANY($1::uuid[])`, [tenantIds])) ?? [];
    const runOf = new Map(runs.map((r) => [r.tenant_id, r]));
    const tenantStatus: Record<string, number> = {};
    const wrongOutcomes: ChaosReport['wrongOutcomes'] = [];
    for (const t of tenants) tenantStatus[t.status] = (tenantStatus[t.status] ?? 0) + 1;
    const lostRunIds: string[] = [];
    tenantIds.forEach((id, i) => {
      const t = tenants.find((x) => x.id === id);
      const r = runOf.get(id);
      if (!r || !['succeeded', 'failed', 'cancelled'].includes(r.status)) lostRunIds.push(r?.id ?? `no run for tenant ${id}`);
      const expected = missing.has(i) ? 'failed/ORGANIZATION_NOT_FOUND' : 'active';
      const got = t?.status === 'failed' ? `failed/${r?.error_code ?? '?'}` : (t?.status ?? 'missing');
      if (got !== expected) wrongOutcomes.push({ tenantId: id, runId: r?.id, status: t?.status ?? 'missing', errorCode: r?.error_code ?? null, expected });
    });
    for (const w of wrongOutcomes.filter((x) => x.runId)) {
      const step = (await query<{ name: string; error_message: string | null }>(dbUrl, `SELECT name, error_message FROM run_steps WHERE run_id = $1 AND status = 'failed'`, [w.runId]))?.[0];
      Object.assign(w, { step: step?.name, message: step?.error_message });
    }
    const lostRunJobs: ChaosReport['lostRunJobs'] = [];
    if (lostRunIds.length) {
      const { Queue } = await import('bullmq');
      const q = new Queue('runs', { connection: { url: redis.url }, prefix: env.QUEUE_PREFIX });
      for (const runId of lostRunIds.filter((x) => !x.startsWith('no run'))) {
        const job = await q.getJob(`run-${runId}`);
        lostRunJobs.push({ runId, state: job ? await job.getState() : 'missing', failedReason: job?.failedReason, attemptsMade: job?.attemptsMade });
      }
      await q.close();
    }
    const workerErrors = [
      ...new Set(
        everyWorker.flatMap((w) =>
          w
            .output()
            .split('\n')
            // Connection errors while Redis or Postgres is down are expected; the outcome checks say whether they mattered.
            .filter((l) => (l.includes('"level":50') || l.includes('"level":60')) && !/ECONNREFUSED|EPIPE|ECONNRESET|Connection is closed/.test(l))
            .map((l) => l.slice(0, 600)),
        ),
      ),
    ].slice(0, 30);
    if (process.env.CHAOS_LOG_DIR) {
      mkdirSync(process.env.CHAOS_LOG_DIR, { recursive: true });
      everyWorker.forEach((w, i) => writeFileSync(join(process.env.CHAOS_LOG_DIR!, `worker-${i}.log`), w.output()));
      writeFileSync(join(process.env.CHAOS_LOG_DIR, 'api.log'), api.output());
    }

    // Outbound webhooks: every finished run announced at least once.
    const announced = runs.filter((r) => r.status === 'succeeded' || r.status === 'failed');
    const receivedFor = () => new Set([...receiver.events.values()].map((e) => `${e.type}|${e.runId}`));
    const whDeadline = Date.now() + opts.webhookTimeoutMs;
    let missingEvents = announced.filter((r) => !receivedFor().has(`run.${r.status}|${r.id}`));
    while (missingEvents.length && Date.now() < whDeadline) {
      await sleep(500);
      missingEvents = announced.filter((r) => !receivedFor().has(`run.${r.status}|${r.id}`));
    }
    log(`webhooks: ${announced.length - missingEvents.length}/${announced.length} run events received`);

    // Simulator counters: writes per tenant and kind beyond the clean reference tenant's are duplicates.
    const es = await entra.admin<EntraStats>('/_sim/stats', undefined, 'GET', 'identity');
    const vs = await vb365.admin<VbStats>('/_sim/stats');
    const duplicateWriteDetail: ChaosReport['duplicateWriteDetail'] = [];
    const refFor = (i: number) => scenario.tenants[missing.has(i) ? N + 1 : N]!;
    const vbWrites = (orgId: string) =>
      Object.fromEntries(Object.entries(vs.byOrganization[orgId.toLowerCase()]?.byKind ?? {}).map(([k, c]) => [k, c.writes]));
    for (let i = 0; i < N; i++) {
      const t = scenario.tenants[i]!;
      const ref = refFor(i);
      const compare = (sim: string, got: Record<string, number>, want: Record<string, number>) => {
        for (const [kind, writes] of Object.entries(got)) {
          if (writes > (want[kind] ?? 0)) duplicateWriteDetail.push({ tenantId: ids.get(i)!, sim, kind, writes, reference: want[kind] ?? 0 });
        }
      };
      compare('entra', es.tenants[t.entraTenantId]?.writes ?? {}, es.tenants[ref.entraTenantId]?.writes ?? {});
      if (t.vb365Organization) compare('vb365', vbWrites(t.vb365OrganizationId), vbWrites(ref.vb365OrganizationId));
    }
    const duplicateWrites = duplicateWriteDetail.reduce((n, d) => n + d.writes - d.reference, 0);
    const entraViolations = Object.values(es.tenants).reduce((n, s) => n + s.retryAfterViolations, 0);
    const vbViolations = vs.retryAfterViolations ?? 0;
    const dupDelivered = [...receiver.events.values()].reduce((n, e) => n + e.count - 1, 0);

    const failures: string[] = [];
    if (!finished()) failures.push(`bulk did not finish within ${opts.timeoutMs} ms (${last.done}/${N})`);
    if (notInjected.length) failures.push(`faults not injected (the run ended first): ${notInjected.join(', ')}`);
    if (wrongOutcomes.length) failures.push(`${wrongOutcomes.length} tenants with a wrong end state`);
    if (duplicateWrites) failures.push(`${duplicateWrites} duplicate writes`);
    if (entraViolations + vbViolations) failures.push(`${entraViolations + vbViolations} Retry-After violations`);
    if (lostRunIds.length) failures.push(`${lostRunIds.length} lost runs`);
    if (missingEvents.length) failures.push(`${missingEvents.length} lost webhook events`);
    const { log: _log, ...options } = opts;
    return {
      options,
      startedAt: startedAt.toISOString(),
      wallMs,
      faults: records,
      faultsNotInjected: notInjected,
      tenantStatus,
      wrongOutcomes,
      unplannedExits,
      workerErrors,
      duplicateWrites,
      duplicateWriteDetail,
      retryAfterViolations: { entra: entraViolations, vb365: vbViolations, vb365Kinds: vs.retryAfterViolationKinds ?? {}, entraLog: es.retryAfterViolationLog ?? [] },
      lostRuns: lostRunIds.length,
      lostRunIds,
      lostRunJobs,
      webhook: { expected: announced.length, received: announced.length - missingEvents.length, lost: missingEvents.length, duplicatesDelivered: dupDelivered, lostRunIds: missingEvents.map((r) => r.id) },
      injected: {
        entraRequests: Object.values(es.tenants).reduce((n, s) => n + s.requests, 0),
        vb365Requests: vs.requests,
        vb365InjectedFaults: vs.injectedFaults,
      },
      pass: failures.length === 0,
      failures,
    };
  } finally {
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
  }
}

/** The issue's full run: 300 tenants, two workers, three worker kills, one Redis and one Postgres restart. */
export const FULL_CHAOS: ChaosOptions = {
  tenants: 300,
  organizationMissingEvery: 50,
  workers: 2,
  workerConcurrency: 10,
  workerKills: 3,
  redisRestarts: 1,
  postgresRestarts: 1,
  downMs: 3000,
  faults: { throttleRate: 0.1, retryAfterSeconds: [1, 3], error503Rate: 0.03, resetRate: 0.01, latencyMs: 20, jitterMs: 20 },
  replicationLagShare: 0.01,
  replicationLagMs: 1500,
  faultWindow: [0.08, 0.7],
  timeoutMs: Number(process.env.CHAOS_TIMEOUT_MS ?? 15 * 60_000),
  webhookTimeoutMs: 120_000,
};

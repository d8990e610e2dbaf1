/**
 * `npm run bench`: the issue-9 benchmark suite against the real stack, every figure beside a reference measured in
 * the same run (the machines are noisy; ratios are what count).
 *   1–3  onboarding: 1,000 tenants one worker vs the latency-bound ideal (+100 and 300 for the chart), two workers,
 *        re-onboarding                                                               (bench/onboarding-bench.ts)
 *   4    audit ingestion vs plain COPY                                               (bench/ingest-scenario.ts)
 *   5    API GET latency/throughput at fixed rates vs a bare Fastify route            (bench/api-bench.ts)
 *   6    bulk-run enqueue and schedule registration vs raw BullMQ                     (bench/queue-bench.ts)
 *   7    inbound webhook acknowledgement p99 at 200 req/s vs a bare Fastify route     (bench/inbound-webhooks.ts)
 * Writes bench/results/<timestamp>.json and .md, and bench/results/onboarding-scaling.svg when scenario 1 ran.
 *
 *   npm run bench [-- --only 4,5] [--quick]       env: BENCH_SCENARIOS=4,5  BENCH_QUICK=1  BENCH_TENANTS=1000
 */
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { Pool } from 'pg';
import Redis from 'ioredis';
import { apiScenario } from './api-bench';
import { webhookAckScenario } from './inbound-webhooks';
import { ingestScenario } from './ingest-scenario';
import { settle } from './lib/settle';
import { Figure, fileStamp, markdownTable, resultsDir, ScalingPoint, scalingChart, selectScenarios, writeResults } from './lib/report';
import { ONBOARDING_CONCURRENCY, onboardingScenarios } from './onboarding-bench';
import { queueScenario } from './queue-bench';

const ALL = [1, 2, 3, 4, 5, 6, 7];
const argv = process.argv.slice(2);
const quick = argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/** Sizes of the full run (issue 9) and of the quick mode used while iterating. */
const sizes = quick
  ? { tenants: Number(process.env.BENCH_TENANTS ?? 50), bigTenants: 1_000, auditRows: 50_000, rates: [100, 300], loadS: 3, webhookS: 5 }
  : { tenants: Number(process.env.BENCH_TENANTS ?? 1_000), bigTenants: 10_000, auditRows: 1_000_000, rates: [100, 500, 1_000], loadS: 10, webhookS: 20 };

async function machine(): Promise<Record<string, string | number>> {
  const pool = new Pool({ connectionString: adminUrl, max: 1 });
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    const pg = (await pool.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
    const info = await redis.info('server');
    const git = (args: string[]): string => {
      try {
        return execFileSync('git', args, { encoding: 'utf8' }).trim();
      } catch {
        return 'unknown';
      }
    };
    return {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      postgres: pg,
      redis: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown',
      commit: git(['rev-parse', '--short', 'HEAD']),
      dirtyFiles: git(['status', '--porcelain', '--untracked-files=no']).split('\n').filter(Boolean).length,
    };
  } finally {
    await pool.end();
    redis.disconnect();
  }
}

async function main(): Promise<void> {
  const selected = selectScenarios(argv, process.env.BENCH_SCENARIOS, ALL);
  const started = new Date();
  const env = await machine();
  console.log(`bench ${quick ? '(quick) ' : ''}scenarios ${selected.join(', ')} on ${env.cpus} CPUs, ${env.memoryGiB} GiB, node ${env.node}, Postgres ${env.postgres}, Redis ${env.redis}`);
  const figures: Figure[] = [];
  const raw: Record<string, unknown> = {};
  const failures: { scenario: string; error: string }[] = [];
  let chart: ScalingPoint[] | undefined;
  const step = async (name: string, fn: () => Promise<{ figures: Figure[] } & Record<string, unknown>>): Promise<void> => {
    const quiet = await settle(adminUrl);
    console.log(`\n== ${name} (machine ${quiet.quiet ? 'settled' : 'still busy'} after ${(quiet.waitedMs / 1000).toFixed(1)} s: ${quiet.busyPct}% busy)`);
    const t0 = Date.now();
    try {
      const r = await fn();
      figures.push(...r.figures);
      raw[name] = { ...r, figures: undefined, seconds: (Date.now() - t0) / 1000, settled: quiet };
      console.log(markdownTable(r.figures));
    } catch (e) {
      console.error(e);
      failures.push({ scenario: name, error: e instanceof Error ? e.message.split('\n')[0]! : String(e) });
    }
  };

  if (selected.some((s) => s <= 3)) {
    const n = sizes.tenants;
    await step(`1–3 onboarding, ${n} tenants`, async () => {
      const r = await onboardingScenarios({
        tenants: n,
        series: n >= 1000 ? [100, 300] : [Math.round(n / 10), Math.round(n * 0.3)],
        reonboard: selected.includes(3),
        twoWorkers: selected.includes(2),
      });
      if (selected.includes(1)) chart = r.chart;
      return r;
    });
  }
  if (selected.includes(4)) await step(`4 audit ingestion, ${sizes.auditRows} events`, () => ingestScenario({ rows: sizes.auditRows }));
  if (selected.includes(5)) {
    await step(`5 API reads, ${sizes.bigTenants} tenants`, () => apiScenario({ tenants: sizes.bigTenants, rates: sizes.rates, durationS: sizes.loadS, redisUrl }));
  }
  if (selected.includes(6)) await step(`6 queueing, ${sizes.bigTenants} tenants`, () => queueScenario({ tenants: sizes.bigTenants, redisUrl }));
  if (selected.includes(7)) await step('7 inbound webhook ack at 200 req/s', () => webhookAckScenario({ rate: 200, durationS: sizes.webhookS, redisUrl }));

  const finished = new Date();
  const command = `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
  const md = [
    `# Benchmark run ${started.toISOString()}${quick ? ' (quick mode: small sizes, not the issue-9 figures)' : ''}`,
    '',
    `Machine: ${env.cpus} CPUs (${env.cpuModel}), ${env.memoryGiB} GiB RAM, node ${env.node}, PostgreSQL ${env.postgres}, Redis ${env.redis}; ` +
      `commit ${env.commit}${Number(env.dirtyFiles) ? ` with ${env.dirtyFiles} modified tracked files` : ''}. Duration ${((finished.getTime() - started.getTime()) / 60_000).toFixed(1)} min.`,
    `Command: \`${command}\`. Scenarios: ${selected.join(', ')}. Each figure is beside a reference measured in the same run; the ratio is value / reference (for the 2-worker speed-up: 1-worker time / 2-worker time).`,
    '',
    markdownTable(figures),
    ...(failures.length ? ['', '**Failed scenarios**', '', ...failures.map((f) => `- ${f.scenario}: ${f.error}`)] : []),
    ...(chart ? ['', '![onboarding wall time vs tenants](onboarding-scaling.svg)'] : []),
  ].join('\n');
  const path = writeResults(
    resultsDir(),
    fileStamp(started),
    { started: started.toISOString(), finished: finished.toISOString(), quick, command, scenarios: selected, machine: env, sizes, concurrency: ONBOARDING_CONCURRENCY, figures, chart, raw, failures },
    md,
    chart ? scalingChart(chart, `bulk onboarding, 40 ± 10 ms per call, concurrency ${ONBOARDING_CONCURRENCY}, 1 worker — run ${started.toISOString().slice(0, 16)}Z`) : undefined,
  );
  console.log(`\n${md}\n\nresults: ${path}.json, ${path}.md${chart ? ', bench/results/onboarding-scaling.svg' : ''}`);
  if (failures.length) process.exit(1);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

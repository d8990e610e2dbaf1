/**
 * `npm run bench`: onboarding throughput against the real stack (Postgres, Redis, BullMQ, both simulators over HTTPS
 * with injected latency 40 ± 10 ms per call), each figure beside a reference measured in the same run.
 *   1. bulk onboarding of BENCH_TENANTS (default 1,000) fresh tenants, one worker, concurrency 50, vs the
 *      latency-bound ideal; plus 100 and 300 for the chart
 *   2. the same with two worker processes: speed-up vs one
 *   3. re-onboarding the same tenants: writes (must be 0), calls per tenant, wall time
 * Results: bench/results/<timestamp>-onboarding.{json,md} and bench/results/onboarding-wall-time.svg.
 */
import { helpdeskRole, startOnboardingStack } from '@app/testing';
import { cpuMs, peakRssMiB } from './lib/proc-stats';
import { Figure, markdownTable, wallTimeChart, writeResults } from './lib/report';

const N = Number(process.env.BENCH_TENANTS ?? 1000);
const SERIES = [100, 300].filter((s) => s < N);
const CONCURRENCY = 50;
const LATENCY = { latencyMs: 30, jitterMs: 20 }; // uniform 30..50 ms = 40 ± 10 ms

type EntraStats = { tenants: Record<string, { requests: number; writes: Record<string, number> }> };
type VbStats = { requests: number; writes: number };

async function main(): Promise<void> {
  const total = SERIES.reduce((a, b) => a + b, 0) + 2 * N;
  console.log(`seeding ${total} tenants…`);
  const stack = await startOnboardingStack({
    tenants: total,
    seed: 'bench',
    preconsented: Array.from({ length: total }, (_, i) => i),
    workerEnv: { WORKER_CONCURRENCY: String(CONCURRENCY) },
    // BENCH_CPU_PROF_DIR=/tmp/prof writes a V8 CPU profile of each worker process (inspect with Chrome DevTools).
    workerExecArgv: process.env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : [],
    // The VB365 cap protects one real server; here it is raised to the worker concurrency so the figure measures
    // the product, not the cap (the cap itself is proven by libs/vb365's two-process test).
    appEnv: { LOG_LEVEL: 'warn', VB365_MAX_CONCURRENT: String(CONCURRENCY) },
  });
  try {
    const ids = await stack.registerTenants();
    const role = helpdeskRole();
    await stack.prisma.roleSpec.createMany({
      data: [...ids.values()].map((tenantId) => ({
        tenantId,
        name: String(role['name']),
        description: String(role['description']),
        scope: 'entire_organization' as const,
        operators: [{ kind: 'group', ref: 'Helpdesk' }],
        selectedItems: [],
        excludedItems: [{ kind: 'group', ref: 'Executives' }],
      })),
    });
    await stack.entra.admin('/_sim/faults', { global: LATENCY }, 'PUT', 'identity');
    await stack.vb365.admin('/_sim/faults', { global: LATENCY }, 'PUT');
    const figures: Figure[] = [];
    const chart: { tenants: number; wallS: number; idealS: number }[] = [];
    let cursor = 0;
    const take = (k: number) => {
      const slice = [...ids.entries()].slice(cursor, cursor + k).map(([, id]) => id);
      cursor += k;
      return slice;
    };

    const one = async (label: string, tenantIds: string[], kind: 'onboard' | 'resync', workers: number) => {
      const e0 = await stack.entra.admin<EntraStats>('/_sim/stats', undefined, 'GET', 'identity');
      const v0 = await stack.vb365.admin<VbStats>('/_sim/stats');
      const cpu0 = cpuMs(stack.worker.process.pid!);
      const t0 = Date.now();
      const accepted = await stack.call<{ batchId: string }>('POST', '/v1/runs/bulk', { kind, tenantIds });
      if (accepted.status !== 202) throw new Error(`bulk answered ${accepted.status}`);
      let counts: Record<string, number> = {};
      for (;;) {
        const b = await stack.call<{ counts: Record<string, number>; created: number }>('GET', `/v1/batches/${accepted.body.batchId}`);
        counts = b.body.counts;
        if ((counts['succeeded'] ?? 0) + (counts['failed'] ?? 0) + (counts['cancelled'] ?? 0) >= tenantIds.length) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      const wallMs = Date.now() - t0;
      const e1 = await stack.entra.admin<EntraStats>('/_sim/stats', undefined, 'GET', 'identity');
      const v1 = await stack.vb365.admin<VbStats>('/_sim/stats');
      const sum = (s: EntraStats, f: (x: { requests: number; writes: Record<string, number> }) => number) => Object.values(s.tenants).reduce((a, x) => a + f(x), 0);
      const entraCalls = sum(e1, (x) => x.requests) - sum(e0, (x) => x.requests);
      const entraWrites = sum(e1, (x) => Object.values(x.writes).reduce((a, b) => a + b, 0)) - sum(e0, (x) => Object.values(x.writes).reduce((a, b) => a + b, 0));
      const vbCalls = v1.requests - v0.requests;
      const vbWrites = v1.writes - v0.writes;
      const callsPerTenant = (entraCalls + vbCalls) / tenantIds.length;
      // Calls of one tenant are sequential: its critical path is its calls × 40 ms; the pool runs `concurrency` at once.
      const idealMs = (callsPerTenant * 40 * tenantIds.length) / (CONCURRENCY * workers);
      const cpuPerTenant = (cpuMs(stack.worker.process.pid!) - cpu0) / tenantIds.length;
      console.log(
        `${label}: ${tenantIds.length} tenants in ${(wallMs / 1000).toFixed(1)} s (ideal ${(idealMs / 1000).toFixed(1)} s, ${(wallMs / idealMs).toFixed(2)}×), ` +
          `${callsPerTenant.toFixed(1)} calls/tenant, writes entra ${entraWrites} vb365 ${vbWrites}, ${JSON.stringify(counts)}`,
      );
      return { wallMs, idealMs, callsPerTenant, entraWrites, vbWrites, cpuPerTenant, counts };
    };

    for (const k of SERIES) {
      const r = await one(`onboard ${k}`, take(k), 'onboard', 1);
      chart.push({ tenants: k, wallS: r.wallMs / 1000, idealS: r.idealMs / 1000 });
    }
    const firstIds = take(N);
    const r1 = await one(`onboard ${N}`, firstIds, 'onboard', 1);
    chart.push({ tenants: N, wallS: r1.wallMs / 1000, idealS: r1.idealMs / 1000 });
    figures.push(
      { scenario: '1 bulk onboarding, 1 worker', metric: 'wall time', value: +(r1.wallMs / 1000).toFixed(1), unit: 's', reference: { label: 'latency-bound ideal', value: +(r1.idealMs / 1000).toFixed(1), unit: 's' }, ratio: r1.wallMs / r1.idealMs, target: '≤ 1.2×', met: r1.wallMs / r1.idealMs <= 1.2 },
      { scenario: '1 bulk onboarding, 1 worker', metric: 'calls per tenant', value: +r1.callsPerTenant.toFixed(1), unit: 'calls' },
      { scenario: '1 bulk onboarding, 1 worker', metric: 'worker CPU per tenant', value: +r1.cpuPerTenant.toFixed(1), unit: 'ms' },
    );
    const reonboard = await one(`re-onboard ${N}`, firstIds, 'resync', 1);
    figures.push(
      { scenario: '3 re-onboarding', metric: 'writes', value: reonboard.entraWrites + reonboard.vbWrites, unit: 'writes', target: '0', met: reonboard.entraWrites + reonboard.vbWrites === 0 },
      { scenario: '3 re-onboarding', metric: 'calls per tenant', value: +reonboard.callsPerTenant.toFixed(1), unit: 'calls', reference: { label: 'fresh onboarding', value: +r1.callsPerTenant.toFixed(1), unit: 'calls' }, ratio: reonboard.callsPerTenant / r1.callsPerTenant },
      { scenario: '3 re-onboarding', metric: 'wall time', value: +(reonboard.wallMs / 1000).toFixed(1), unit: 's', reference: { label: 'fresh onboarding', value: +(r1.wallMs / 1000).toFixed(1), unit: 's' }, ratio: reonboard.wallMs / r1.wallMs },
    );
    const second = await stack.startWorker();
    const r2 = await one(`onboard ${N}, 2 workers`, take(N), 'onboard', 2);
    figures.push({ scenario: '2 bulk onboarding, 2 workers', metric: 'wall time', value: +(r2.wallMs / 1000).toFixed(1), unit: 's', reference: { label: '1 worker', value: +(r1.wallMs / 1000).toFixed(1), unit: 's' }, ratio: r1.wallMs / r2.wallMs, target: 'speed-up vs 1 worker' });
    figures.push(
      { scenario: '1 bulk onboarding', metric: 'peak RSS api', value: peakRssMiB(stack.api.process.pid!), unit: 'MiB', target: '≤ 300 MiB', met: peakRssMiB(stack.api.process.pid!) <= 300 },
      { scenario: '1 bulk onboarding', metric: 'peak RSS worker', value: peakRssMiB(stack.worker.process.pid!), unit: 'MiB', target: '≤ 300 MiB', met: peakRssMiB(stack.worker.process.pid!) <= 300 },
      { scenario: '2 bulk onboarding', metric: 'peak RSS 2nd worker', value: peakRssMiB(second.process.pid!), unit: 'MiB', target: '≤ 300 MiB', met: peakRssMiB(second.process.pid!) <= 300 },
    );
    const md = `### Onboarding benchmark (${new Date().toISOString()}, ${N} tenants, 40 ± 10 ms per call, concurrency ${CONCURRENCY})\n\n${markdownTable(figures)}`;
    console.log(`\n${md}\n`);
    const path = writeResults('onboarding', { tenants: N, concurrency: CONCURRENCY, figures, chart }, md, wallTimeChart(chart));
    console.log(`results: ${path}.{json,md}, chart: bench/results/onboarding-wall-time.svg`);
  } finally {
    await stack.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

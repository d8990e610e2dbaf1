import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChaosReport } from '@app/testing';

const ms = (v: number | null): string => (v === null ? 'not recovered' : `${(v / 1000).toFixed(1)} s`);

/** The chaos report as Markdown: each fault with its time to recover, then the pass criteria. */
export function chaosMarkdown(r: ChaosReport): string {
  const o = r.options;
  const lines = [
    `### Chaos run (${r.startedAt}, ${o.tenants} tenants, ${o.workers} workers × concurrency ${o.workerConcurrency})`,
    '',
    `Injected on every simulated call: ${o.faults.throttleRate * 100} % 429 (Retry-After ${o.faults.retryAfterSeconds.join('–')} s), ` +
      `${o.faults.error503Rate * 100} % 503, ${o.faults.resetRate * 100} % connection resets, latency ${o.faults.latencyMs}+${o.faults.jitterMs} ms; ` +
      `replication lag ${o.replicationLagMs} ms on ${o.replicationLagShare * 100} % of tenants. Bulk wall time ${(r.wallMs / 1000).toFixed(1)} s.`,
    '',
    '| # | fault | at | progress | process/service back | queue progressed | in-flight runs resumed |',
    '|---|---|---|---|---|---|---|',
    ...r.faults.map(
      (f, i) =>
        `| ${i + 1} | ${f.kind}${f.target ? ` (${f.target})` : ''} | ${f.at} | ${Math.round(f.atProgress * 100)} % | ${ms(f.restoredMs)} | ${ms(f.progressMs)} | ${ms(f.inFlightResumedMs)} (${f.inFlightRuns} runs) |`,
    ),
    ...(r.faultsNotInjected.length ? ['', `Not injected (the run ended first): ${r.faultsNotInjected.join(', ')}`] : []),
    ...(r.unplannedExits.length
      ? ['', `Unplanned exits (replaced, as a supervisor would): ${r.unplannedExits.map((e) => `${e.process} pid ${e.pid} at ${e.at} (code ${e.code}, signal ${e.signal})`).join('; ')}`]
      : []),
    '',
    '| criterion | result | required |',
    '|---|---|---|',
    `| tenant end states | ${Object.entries(r.tenantStatus).map(([k, v]) => `${k} ${v}`).join(', ')}; wrong ${r.wrongOutcomes.length} | active, or failed ORGANIZATION_NOT_FOUND where the organization is missing |`,
    `| duplicate writes (simulator counters vs a clean reference tenant) | ${r.duplicateWrites} | 0 |`,
    `| Retry-After violations | entra ${r.retryAfterViolations.entra}, vb365 ${r.retryAfterViolations.vb365} | 0 |`,
    `| lost runs | ${r.lostRuns} | 0 |`,
    `| lost outbound webhook events | ${r.webhook.lost} of ${r.webhook.expected} (delivered twice: ${r.webhook.duplicatesDelivered}) | 0 |`,
    ...(r.retryAfterViolations.entraLog.length
      ? [
          '',
          'Entra Retry-After violations (request, how early, the throttled request before it):',
          ...r.retryAfterViolations.entraLog.map((v) => `- ${v.at} tenant ${v.tenantId}: ${v.request} ${v.earlyMs} ms early; ${v.throttledRequest} throttled at ${v.throttledAt}`),
        ]
      : []),
    '',
    `${r.pass ? 'PASS' : 'FAIL'}${r.failures.length ? `: ${r.failures.join('; ')}` : ''}`,
  ];
  return lines.join('\n');
}

export function writeChaosResults(r: ChaosReport, markdown: string): string {
  const dir = join(__dirname, '..', '..', '..', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `chaos-${r.startedAt.replace(/[:.]/g, '-')}`);
  writeFileSync(`${base}.json`, JSON.stringify(r, null, 2));
  writeFileSync(`${base}.md`, markdown + '\n');
  return base;
}

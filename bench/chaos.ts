/**
 * `npm run chaos`: a bulk onboarding of CHAOS_TENANTS (default 300) tenants through injected 429s (Retry-After
 * 1–3 s), 503s, connection resets and replication lag, with two worker processes, three worker SIGKILLs, one Redis
 * and one Postgres restart (our own instances, never the machine's). Prints each fault with its time to recover
 * and a final PASS/FAIL line; exits 1 on FAIL. Results: bench/results/chaos-<timestamp>.{json,md}. docs/chaos.md.
 */
import { FULL_CHAOS, runChaos } from '@app/testing';
import { chaosMarkdown, writeChaosResults } from './lib/chaos-report';

// Ctrl-C or a timeout: exit through process.exit so the managed Postgres/Redis exit hook removes them.
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));

async function main(): Promise<void> {
  const report = await runChaos({
    ...FULL_CHAOS,
    tenants: Number(process.env.CHAOS_TENANTS ?? FULL_CHAOS.tenants),
    seed: process.env.CHAOS_SEED ? Number(process.env.CHAOS_SEED) : undefined,
    log: (line) => console.log(line),
  });
  const md = chaosMarkdown(report);
  console.log(`\n${md}\n`);
  if (report.wrongOutcomes.length) console.log('wrong end states:', JSON.stringify(report.wrongOutcomes.slice(0, 20)));
  if (report.retryAfterViolations.entraLog.length) console.log('entra Retry-After violations:', JSON.stringify(report.retryAfterViolations.entraLog.slice(0, 20)));
  if (report.retryAfterViolations.vb365) console.log('vb365 Retry-After violations:', JSON.stringify(report.retryAfterViolations.vb365Kinds));
  for (const e of report.unplannedExits) console.log(`unplanned ${e.process} exit, last lines:\n${e.lastLines.join('\n')}`);
  if (report.lostRunJobs.length) console.log('lost runs (BullMQ job):', JSON.stringify(report.lostRunJobs));
  if (report.workerErrors.length) console.log(`worker errors (first ${report.workerErrors.length}):\n${report.workerErrors.join('\n')}`);
  if (report.duplicateWriteDetail.length) console.log('duplicate writes:', JSON.stringify(report.duplicateWriteDetail.slice(0, 20)));
  console.log(`results: ${writeChaosResults(report, md)}.{json,md}`);
  console.log(report.pass ? 'CHAOS PASS' : `CHAOS FAIL: ${report.failures.join('; ')}`);
  process.exit(report.pass ? 0 : 1);
}

main().catch((e: unknown) => {
  console.error(e);
  console.log('CHAOS FAIL: the run itself failed');
  process.exit(1);
});

import { FULL_CHAOS, runChaos, ChaosReport } from '@app/testing';

/**
 * The reduced `npm run chaos` (docs/chaos.md): 24 tenants through injected 429s, 503s, connection resets and
 * replication lag, two worker processes, one worker SIGKILL and one Redis restart, against a Postgres cluster and a
 * Redis server of its own. Outcomes only, never timings: every tenant active or with its correct permanent error,
 * no duplicate writes, no Retry-After violation, no lost run, no lost outbound webhook event.
 */
describe('chaos (reduced)', () => {
  let report: ChaosReport;

  beforeAll(async () => {
    report = await runChaos({
      ...FULL_CHAOS,
      tenants: 24,
      organizationMissingEvery: 12,
      workerKills: 1,
      redisRestarts: 1,
      postgresRestarts: 0,
      downMs: 1500,
      faultWindow: [0.15, 0.5],
      timeoutMs: 150_000,
      webhookTimeoutMs: 60_000,
    });
  }, 240_000);

  it('injected every planned fault and recovered from each', () => {
    expect(report.faultsNotInjected).toEqual([]);
    expect(report.faults.map((f) => f.kind).sort()).toEqual(['kill-worker', 'restart-redis']);
    for (const f of report.faults) expect(f.progressMs).not.toBeNull();
  });

  it('ends every tenant active or failed with ORGANIZATION_NOT_FOUND where the organization is missing', () => {
    expect(report.wrongOutcomes).toEqual([]);
    expect(report.tenantStatus).toEqual({ active: 22, failed: 2 });
  });

  it('makes no duplicate writes and honours every Retry-After', () => {
    expect(report.duplicateWriteDetail).toEqual([]);
    // Whole object, so a failure shows which request came too early (vb365Kinds, entraLog).
    expect(report.retryAfterViolations).toEqual({ entra: 0, vb365: 0, vb365Kinds: {}, entraLog: [] });
  });

  it('loses no run and no outbound webhook event', () => {
    expect(report.lostRunJobs).toEqual([]);
    expect(report.lostRuns).toBe(0);
    expect(report.webhook).toMatchObject({ expected: 24, lost: 0 });
  });
});

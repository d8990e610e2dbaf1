import type { PrismaService } from '@app/db';
import { EntraError } from '@app/entra';
import { RunEngine } from './run-engine.service';
import type { StepRegistry } from './step-registry';
import type { TenantOutcomes } from './tenant-outcomes.service';

/**
 * A wait the server asked for (Retry-After) is handed to the job layer even when recording it fails: with Postgres
 * going away the job failed instead, BullMQ retried it at once, and the step's requests came inside the Retry-After
 * (4 entra-sim violations in a chaos run around its Postgres restart).
 */
describe('RunEngine when the wait cannot be recorded', () => {
  const run = {
    id: 'run-1',
    tenantId: 'tenant-1',
    kind: 'onboard',
    status: 'queued',
    dryRun: false,
    cancelRequested: false,
    options: {},
    startedAt: null,
    tenant: { id: 'tenant-1', entraTenantId: 'entra-1' },
    steps: [{ id: 'step-1', name: 'verify-access', status: 'pending', attempts: 0, startedAt: null, output: {} }],
  };
  const dbDown = new Error("Can't reach database server");
  // The run as readRunWithSteps selects it: run columns, tenant columns under "t.", steps as JSON.
  const { tenant, ...runColumns } = run;
  const row = { ...runColumns, ...Object.fromEntries(Object.entries(tenant).map(([k, v]) => [`t.${k}`, v])) };
  const prisma = { direct: jest.fn(async () => ({ rows: [row], rowCount: 1 })), runStep: { update: jest.fn(async () => Promise.reject(dbDown)) } };
  const outcomes = { runStarted: jest.fn(async () => true), runFinished: jest.fn() };
  const failWith = (err: Error) => ({ get: () => ({ execute: () => Promise.reject(err) }) });

  it('THROTTLED: waits the Retry-After although the step could not be marked pending', async () => {
    const throttled = new EntraError('THROTTLED', 'Too many requests', 'wait', { retryAfterMs: 3000 });
    const engine = new RunEngine(prisma as unknown as PrismaService, failWith(throttled) as unknown as StepRegistry, outcomes as unknown as TenantOutcomes);
    await expect(engine.execute('run-1')).resolves.toEqual({ type: 'delay', delayMs: 3000, reason: 'throttled', step: 'verify-access' });
    expect(prisma.runStep.update).toHaveBeenCalled();
  });

  it('TRANSIENT: backs off although the step could not be marked pending', async () => {
    const transient = new EntraError('TRANSIENT', 'Service unavailable', 'retry');
    const engine = new RunEngine(prisma as unknown as PrismaService, failWith(transient) as unknown as StepRegistry, outcomes as unknown as TenantOutcomes);
    await expect(engine.execute('run-1')).resolves.toMatchObject({ type: 'delay', reason: 'transient', step: 'verify-access' });
  });
});

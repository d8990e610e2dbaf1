import { OnboardingStack, startOnboardingStack } from '@app/testing';

interface RunBody {
  id: string;
  status: string;
  errorCode: string | null;
  errorHint: string | null;
  steps: { name: string; status: string }[];
}

/** VB365 preconditions the product checks but never changes, and cancelling a run mid-way. */
describe('onboarding preconditions and cancel', () => {
  let stack: OnboardingStack;
  let ids: Map<number, string>;

  beforeAll(async () => {
    stack = await startOnboardingStack({
      tenants: 3,
      seed: 'e2e-preconditions',
      preconsented: [0, 1, 2],
      restorePortal: { isEnabled: true, applicationId: '99999999-9999-4999-a999-999999999999' },
    });
    ids = await stack.registerTenants();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const start = (i: number, body: Record<string, unknown>) => stack.call<RunBody>('POST', `/v1/tenants/${ids.get(i)}/runs`, body);

  it('fails a run whose VB365 Restore Portal uses another application, naming Set-VBORestorePortalSettings', async () => {
    const r = await start(0, { kind: 'onboard' });
    const done = (await stack.waitForRun(r.body.id)) as unknown as RunBody;
    expect(done.status).toBe('failed');
    expect(done.errorCode).toBe('RESTORE_PORTAL_MISCONFIGURED');
    expect(done.errorHint).toContain('Set-VBORestorePortalSettings');
    expect(done.errorHint).toContain(stack.scenario.restorePortalAppId);
    expect(done.steps.find((s) => s.name === 'verify-vb365')?.status).toBe('failed');
  });

  it('cancels a running run before its next step and frees the tenant', async () => {
    await stack.entra.admin('/_sim/faults', { global: { latencyMs: 400 } }, 'PUT', 'identity');
    const r = await start(1, { kind: 'onboard' });
    await new Promise((res) => setTimeout(res, 600));
    const c = await stack.call<RunBody>('POST', `/v1/runs/${r.body.id}/cancel`);
    expect(c.status).toBe(202);
    const done = (await stack.waitForRun(r.body.id)) as unknown as RunBody;
    await stack.entra.admin('/_sim/faults', { global: {} }, 'PUT', 'identity');
    expect(done.status).toBe('cancelled');
    // The step in flight finished and is recorded (the statement that found the cancel recorded it); none runs.
    const firstPending = done.steps.findIndex((s) => s.status === 'pending');
    expect(firstPending).toBeGreaterThan(0);
    expect(done.steps.slice(0, firstPending).map((s) => s.status)).toEqual(Array(firstPending).fill('succeeded'));
    expect(done.steps.filter((s) => s.status === 'running')).toEqual([]);
    // The tenant is free again: a new run is accepted.
    const next = await start(1, { kind: 'onboard', dryRun: true });
    expect(next.status).toBe(202);
    await stack.waitForRun(next.body.id);
  });

  it('retries a failed run at the failed step once the cause is fixed', async () => {
    const failed = await start(2, { kind: 'onboard' });
    const first = (await stack.waitForRun(failed.body.id)) as unknown as RunBody;
    expect(first.status).toBe('failed');
    await stack.vb365.admin('/_sim/seed', { restorePortal: { isEnabled: true, applicationId: stack.scenario.restorePortalAppId } });
    // Server facts are cached for a few minutes per worker; a fresh worker reads the fixed settings.
    await stack.worker.stop();
    stack.worker = await stack.startWorker();
    const retried = await stack.call<RunBody>('POST', `/v1/runs/${failed.body.id}/retry`);
    expect(retried.status).toBe(202);
    const done = (await stack.waitForRun(failed.body.id)) as unknown as RunBody;
    expect(done.status).toBe('succeeded');
    const steps = await stack.prisma.runStep.findMany({ where: { runId: failed.body.id }, orderBy: { ordinal: 'asc' } });
    // Steps that had succeeded were not run again.
    expect(steps.slice(0, 3).map((s) => s.attempts)).toEqual([1, 1, 1]);
  });
});

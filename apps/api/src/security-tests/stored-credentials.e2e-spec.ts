import { randomBytes } from 'node:crypto';
import { OnboardingStack, startOnboardingStack, TEST_VB365_PASSWORD } from '@app/testing';

const IMPORT_WARNING = 'imported into the encrypted secret store';

/**
 * The outside credentials' source of truth is the encrypted secret store: the api and the first worker start with
 * them in their environment (imported, with a warning), then a worker started WITHOUT them onboards a tenant
 * against both simulators with what it reads from the store.
 */
describe('outside credentials from the secret store only', () => {
  let stack: OnboardingStack;
  const masterKey = randomBytes(32).toString('base64');

  beforeAll(async () => {
    stack = await startOnboardingStack({
      tenants: 1,
      seed: 'e2e-stored-credentials',
      preconsented: [0],
      appEnv: { SECRET_ENCRYPTION_KEY: masterKey, SECRET_ENCRYPTION_KEY_ID: 'e2e-k1' },
    });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('imports the environment credentials encrypted at start, with a warning naming the variables only', async () => {
    const rows = await stack.prisma.secret.findMany({ where: { purpose: { startsWith: 'credential:' } }, orderBy: { purpose: 'asc' } });
    expect(rows.map((r) => [r.purpose, r.keyId])).toEqual([
      ['credential:orchestrator.certificate', 'e2e-k1'],
      ['credential:vb365.password', 'e2e-k1'],
      ['credential:vb365.username', 'e2e-k1'],
    ]);
    expect(rows.some((r) => Buffer.from(r.ciphertext).toString('latin1').includes(TEST_VB365_PASSWORD))).toBe(false);
    const warning = stack.worker.output().split('\n').find((l) => l.includes(IMPORT_WARNING));
    expect(warning).toContain('VB365_PASSWORD');
    expect(warning).not.toContain(TEST_VB365_PASSWORD);
  });

  it('a worker without the credentials in its environment onboards a tenant against the simulators', async () => {
    await stack.worker.stop();
    const worker = await stack.startWorker({ VB365_USERNAME: '', VB365_PASSWORD: '', ORCHESTRATOR_CERT_PATH: '' });
    const ids = await stack.registerTenants([0]);
    const started = await stack.call<{ id: string }>('POST', `/v1/tenants/${ids.get(0)}/runs`, { kind: 'onboard' });
    expect(started.status).toBe(202);
    const run = await stack.waitForRun(started.body.id, 90_000);
    expect([run.status, run.steps.filter((s) => s.status !== 'succeeded').map((s) => `${s.name}:${s.status}:${s.errorCode}`)]).toEqual(['succeeded', []]);
    expect((await stack.prisma.tenant.findUniqueOrThrow({ where: { id: ids.get(0)! } })).status).toBe('active');
    // Evidence it used the store: no import at its start, and the simulators saw its token requests succeed.
    expect(worker.output()).not.toContain(IMPORT_WARNING);
    const vb = await stack.vb365.admin<{ logins: number }>('/_sim/stats');
    expect(vb.logins).toBeGreaterThan(0);
  }, 120_000);
});

import { ModuleRef } from '@nestjs/core';
import { parseConfig } from '@app/config';
import { PrismaService } from '@app/db';
import { JobProducer } from '@app/jobs';
import { createTestDatabase, TestDatabase } from '@app/testing';
import { RunLauncher } from './run-launcher.service';
import { STEPS_BY_KIND } from './step-catalogue';

/** Bulk run creation against real Postgres: one active run per tenant still holds, conflicts name the winner. */
describe('RunLauncher.createMany', () => {
  let db: TestDatabase;
  let prisma: PrismaService;
  let launcher: RunLauncher;

  beforeAll(async () => {
    db = await createTestDatabase();
    prisma = new PrismaService(parseConfig({ DATABASE_URL: db.url }));
    launcher = new RunLauncher(prisma, new JobProducer({ get: () => undefined } as unknown as ModuleRef));
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  const tenant = (name: string) => prisma.tenant.create({ data: { displayName: name, entraTenantId: null, status: 'active' } });
  const input = { kind: 'resync' as const, requestedBy: 'test', correlationId: 'corr-bulk' };

  it('creates runs with their steps and activity rows, and skips tenants that already have an active run', async () => {
    const [a, b, c] = [await tenant('a'), await tenant('b'), await tenant('c')];
    const busy = await launcher.create(b.id, input);

    const { runs, conflicts } = await launcher.createMany([a.id, b.id, c.id], input);

    expect(runs.map((r) => r.tenantId).sort()).toEqual([a.id, c.id].sort());
    expect(conflicts).toEqual([{ tenantId: b.id, activeRunId: busy.id }]);
    for (const run of runs) {
      const steps = await prisma.runStep.findMany({ where: { runId: run.id }, orderBy: { ordinal: 'asc' } });
      expect(steps.map((s) => [s.name, s.status])).toEqual(STEPS_BY_KIND.resync.map((n) => [n, 'pending']));
      expect(await prisma.activityLog.count({ where: { runId: run.id, action: 'run.requested' } })).toBe(1);
      expect(run).toMatchObject({ status: 'queued', activeTenantId: run.tenantId, correlationId: 'corr-bulk' });
    }
    // Still one active run per tenant: a second bulk creates nothing.
    const again = await launcher.createMany([a.id, c.id], input);
    expect(again.runs).toEqual([]);
    expect(again.conflicts.map((x) => x.activeRunId).sort()).toEqual(runs.map((r) => r.id).sort());
  });
});

import { parseConfig } from '@app/config';
import { createTestDatabase, TestDatabase } from '@app/testing';
import { Prisma } from './generated/client';
import { PrismaService } from './prisma.service';
import { readRunWithSteps } from './rows';

let db: TestDatabase;
let prisma: PrismaService;

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = new PrismaService(parseConfig({ DATABASE_URL: db.url }));
});

afterAll(async () => {
  await prisma.$disconnect();
  await db.drop();
});

/** PrismaService.direct: the run engine's hot statements on the adapter's own pool, with the same statement names. */
describe('PrismaService.direct', () => {

  it('runs a composed Prisma.Sql and returns rows as node-postgres parses them', async () => {
    const at = new Date('2026-12-06T10:00:00.123Z');
    const inner = Prisma.sql`SELECT ${'a'}::text AS name, ${at}::timestamptz AS at, ${JSON.stringify({ k: [1] })}::jsonb AS doc`;
    const { rows, rowCount } = await prisma.direct<{ name: string; at: Date; doc: unknown }>(Prisma.sql`WITH x AS (${inner}) SELECT * FROM x`);
    expect(rowCount).toBe(1);
    expect(rows).toEqual([{ name: 'a', at, doc: { k: [1] } }]);
  });

  it('shares the statement names with Prisma: the same text prepared by both paths on one connection does not clash', async () => {
    // Ten rounds over a pool of ten connections: every connection sees the text from both paths.
    for (let i = 0; i < 10; i++) {
      await prisma.$queryRaw`SELECT ${i}::int AS n`;
      const { rows } = await prisma.direct<{ n: number }>(Prisma.sql`SELECT ${i}::int AS n`);
      expect(rows).toEqual([{ n: i }]);
    }
  });

  it("fails with node-postgres's error: the SQLSTATE classifyStepError reads", async () => {
    await expect(prisma.direct(Prisma.sql`SELECT 1 / ${0}::int`)).rejects.toMatchObject({ code: '22012' });
  });

  it('closes its pool at shutdown even when only direct statements ran (the adapter never connected)', async () => {
    const only = new PrismaService(parseConfig({ DATABASE_URL: db.url }));
    await only.direct(Prisma.sql`SELECT 1`);
    await only.onModuleDestroy();
    expect((only as unknown as { pool: { ended: boolean } }).pool.ended).toBe(true);
  });
});

/** readRunWithSteps returns what Prisma's include returns, field for field, on real rows with every kind of value. */
describe('readRunWithSteps', () => {
  const prismaRead = (id: string) => prisma.run.findUnique({ where: { id }, include: { steps: { orderBy: { ordinal: 'asc' } }, tenant: true } });

  it('matches Prisma for a run with steps in every state and a tenant with nulls, arrays, JSON and dates set', async () => {
    const tenant = await prisma.tenant.create({
      data: {
        entraTenantId: '0f5a1c1e-0000-4000-8000-00000000a001',
        primaryDomain: 'contoso.example',
        displayName: 'Contoso "quoted" ünicode',
        tags: ['eu', 'gold'],
        status: 'onboarding',
        consentedAt: new Date('2026-12-01T08:00:00.123Z'),
        roleDrift: { missing: ['Helpdesk'], at: '2026-12-01' },
        consentDrift: null as never,
      },
    });
    const run = await prisma.run.create({
      data: {
        tenantId: tenant.id,
        kind: 'onboard',
        correlationId: 'corr-1',
        requestedBy: 'api-key:bench',
        options: { roles: true, nested: { n: 1 } },
        startedAt: new Date('2026-12-06T10:00:00.456Z'),
        steps: {
          create: [
            { name: 'ensure-consent-grants', ordinal: 2, status: 'pending' },
            { name: 'verify-access', ordinal: 0, status: 'succeeded', attempts: 1, startedAt: new Date('2026-12-06T10:00:00.500Z'), finishedAt: new Date('2026-12-06T10:00:00.789Z'), changes: [{ kind: 'read' }], output: { domain: 'contoso.example' } },
            { name: 'ensure-service-principal', ordinal: 1, status: 'running', attempts: 2, startedAt: new Date('2026-12-06T10:00:01.001Z'), errorCode: 'THROTTLED', errorHint: 'wait', errorMessage: 'Too many requests' },
          ],
        },
      },
    });
    const expected = await prismaRead(run.id);
    const actual = await readRunWithSteps(prisma, run.id);
    expect(actual).toEqual(expected);
    expect(actual!.steps.map((s) => s.ordinal)).toEqual([0, 1, 2]);
    expect(actual!.steps[0]!.finishedAt).toBeInstanceOf(Date);
    expect(actual!.tenant.consentedAt).toBeInstanceOf(Date);
  });

  it('returns a run without steps with an empty list, and null for an unknown run', async () => {
    const tenant = await prisma.tenant.create({ data: { entraTenantId: '0f5a1c1e-0000-4000-8000-00000000a002', primaryDomain: 'fabrikam.example', displayName: 'Fabrikam' } });
    const run = await prisma.run.create({ data: { tenantId: tenant.id, kind: 'resync', correlationId: 'corr-2', requestedBy: 'schedule' } });
    expect(await readRunWithSteps(prisma, run.id)).toEqual(await prismaRead(run.id));
    expect((await readRunWithSteps(prisma, run.id))!.steps).toEqual([]);
    expect(await readRunWithSteps(prisma, '00000000-0000-4000-8000-000000000000')).toBeNull();
  });
});

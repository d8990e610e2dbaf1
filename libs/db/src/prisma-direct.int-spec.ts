import { parseConfig } from '@app/config';
import { createTestDatabase, TestDatabase } from '@app/testing';
import { Prisma } from './generated/client';
import { PrismaService } from './prisma.service';

/** PrismaService.direct: the run engine's hot statements on the adapter's own pool, with the same statement names. */
describe('PrismaService.direct', () => {
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

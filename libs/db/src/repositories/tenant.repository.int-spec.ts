import { PrismaPg } from '@prisma/adapter-pg';
import { createTestDatabase, TestDatabase } from '@app/testing';
import { PrismaClient } from '../generated/client';
import { PrismaService } from '../prisma.service';
import { UNRESTRICTED } from '../tenant-scope';
import { TenantRepository } from './tenant.repository';

interface Logged {
  query: string;
  params: string;
}

/**
 * GET /v1/tenants?status=… (issue 9 scenario 5): the page query of an analyzed table walks the (status, id) index
 * and stops after one page; before that index the planner read and sorted every row of the status for each page.
 */
describe('TenantRepository.list page query', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  const logged: Logged[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    prisma = new PrismaClient({
      adapter: new PrismaPg({ connectionString: db.url, max: 2 }),
      log: [{ emit: 'event', level: 'query' }],
    });
    // Typed $on needs the log levels as a type argument; the event shape is all this test reads.
    (prisma as unknown as { $on(event: 'query', cb: (e: Logged) => void): void }).$on('query', (e) =>
      logged.push({ query: e.query, params: e.params }),
    );
    await prisma.$executeRawUnsafe(`
      INSERT INTO tenants (id, entra_tenant_id, display_name, status, updated_at)
      SELECT gen_random_uuid(), gen_random_uuid(), 'Tenant ' || i,
             (CASE WHEN i % 10 = 0 THEN 'failed' WHEN i % 10 = 5 THEN 'awaiting_consent' ELSE 'active' END)::"TenantStatus", now()
      FROM generate_series(1, 3000) AS i`);
    await prisma.$executeRawUnsafe('ANALYZE tenants');
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  const repo = (): TenantRepository => new TenantRepository(prisma as unknown as PrismaService);

  /** EXPLAIN of the statement the repository actually sent, with its parameters. */
  async function planOf(run: () => Promise<unknown>): Promise<string> {
    logged.length = 0;
    await run();
    const sent = logged.find((l) => l.query.includes('FROM "public"."tenants"'));
    expect(sent).toBeDefined();
    const params = JSON.parse(sent!.params) as unknown[];
    const rows = await prisma.$queryRawUnsafe<{ 'QUERY PLAN': unknown }[]>(`EXPLAIN (FORMAT JSON) ${sent!.query}`, ...params);
    return JSON.stringify(rows[0]!['QUERY PLAN']);
  }

  it.each(['active', 'failed'] as const)('status=%s, first and next page: an index range scan on (status, id), no sort', async (status) => {
    const first = await repo().list(UNRESTRICTED, { status, limit: 50 });
    for (const after of [undefined, first.nextCursor!]) {
      const plan = await planOf(() => repo().list(UNRESTRICTED, { status, after, limit: 50 }));
      expect(plan).toContain('"Index Name":"tenants_status_id_idx"');
      expect(plan).not.toContain('"Node Type":"Sort"');
    }
  });

  it('cursor pages of one status cover all its tenants once, in id order', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    do {
      const page = await repo().list(UNRESTRICTED, { status: 'failed', after, limit: 70 });
      expect(page.items.every((t) => t.status === 'failed')).toBe(true);
      seen.push(...page.items.map((t) => t.id));
      after = page.nextCursor ?? undefined;
    } while (after);
    expect(seen).toHaveLength(300);
    expect([...seen].sort()).toEqual(seen);
    expect(new Set(seen).size).toBe(300);
  });
});

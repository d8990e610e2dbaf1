import { parseConfig } from '@app/config';
import { createTestDatabase, TestDatabase } from '@app/testing';
import { Prisma } from '../generated/client';
import { PrismaService } from '../prisma.service';
import { UNRESTRICTED } from '../tenant-scope';
import { TenantRepository } from './tenant.repository';

/**
 * GET /v1/tenants?status=… (issue 9 scenario 5): the page query of an analyzed table walks the (status, id) index
 * and stops after one page; before that index the planner read and sorted every row of the status for each page.
 */
describe('TenantRepository.list page query', () => {
  let db: TestDatabase;
  let prisma: PrismaService;
  const sent: Prisma.Sql[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    prisma = new PrismaService(parseConfig({ DATABASE_URL: db.url }));
    // The statements the repository sends, as sent (text and parameters).
    const direct = prisma.direct.bind(prisma);
    prisma.direct = ((sql: Prisma.Sql) => {
      sent.push(sql);
      return direct(sql);
    }) as typeof prisma.direct;
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

  const repo = (): TenantRepository => new TenantRepository(prisma);

  /** EXPLAIN of the statement the repository actually sent, with its parameters. */
  async function planOf(run: () => Promise<unknown>): Promise<string> {
    sent.length = 0;
    await run();
    const page = sent.find((q) => q.text.includes('FROM tenants t'));
    expect(page).toBeDefined();
    const { rows } = await prisma.direct<{ 'QUERY PLAN': unknown }>(Prisma.sql`EXPLAIN (FORMAT JSON) ${page!}`);
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

/** The list's filters and findById's scope, as one direct statement each: the same answers Prisma's where gave. */
describe('TenantRepository filters', () => {
  let db: TestDatabase;
  let prisma: PrismaService;
  let repo: TenantRepository;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    db = await createTestDatabase();
    prisma = new PrismaService(parseConfig({ DATABASE_URL: db.url }));
    repo = new TenantRepository(prisma);
    const seed: [string, string, string[], boolean][] = [
      ['a', 'Alpha 100% Ltd', ['eu', 'gold'], false],
      ['b', 'Beta 1000 Ltd', ['eu'], true],
      ['c', 'Gamma_x', ['us'], false],
      ['d', 'GammaYx', [], false],
    ];
    for (const [key, name, tags, excluded] of seed) {
      const t = await prisma.tenant.create({ data: { entraTenantId: `0f5a1c1e-0000-4000-8000-00000000b00${key.charCodeAt(0) - 96}`, displayName: name, primaryDomain: `${key}.example`, tags, excluded } });
      ids[key] = t.id;
    }
  });

  afterAll(async () => {
    await prisma.$disconnect();
    await db.drop();
  });

  const names = async (q: Partial<Parameters<TenantRepository['list']>[1]>, tags: string[] = []) =>
    (await repo.list({ tags }, { limit: 50, ...q })).items.map((t) => t.displayName).sort();

  it('matches text literally and case-insensitively in the name or the domain (% and _ are not wildcards)', async () => {
    expect(await names({ text: '100%' })).toEqual(['Alpha 100% Ltd']);
    expect(await names({ text: 'gamma_' })).toEqual(['Gamma_x']);
    expect(await names({ text: 'B.EXAMPLE' })).toEqual(['Beta 1000 Ltd']);
    expect(await names({ text: '\\' })).toEqual([]);
  });

  it('filters by tag, excluded and the key scope (any of its tags)', async () => {
    expect(await names({ tag: 'eu' })).toEqual(['Alpha 100% Ltd', 'Beta 1000 Ltd']);
    expect(await names({ excluded: true })).toEqual(['Beta 1000 Ltd']);
    expect(await names({ excluded: false, tag: 'eu' })).toEqual(['Alpha 100% Ltd']);
    expect(await names({}, ['gold', 'us'])).toEqual(['Alpha 100% Ltd', 'Gamma_x']);
    expect(await names({}, [])).toHaveLength(4);
  });

  it('reads one tenant only inside the scope, with every field as Prisma returns it', async () => {
    expect(await repo.findById({ tags: ['us'] }, ids['a']!)).toBeNull();
    expect(await repo.findById({ tags: ['gold'] }, ids['a']!)).toEqual(await prisma.tenant.findUnique({ where: { id: ids['a']! } }));
    expect(await repo.findById({ tags: [] }, '00000000-0000-4000-8000-000000000000')).toBeNull();
  });
});

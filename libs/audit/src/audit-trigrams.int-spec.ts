import { Pool } from 'pg';
import { createTestDatabase, TestDatabase } from '@app/testing';
import { AuditDb } from './audit-db';
import { AuditPartitions } from './audit-partitions';
import { AuditQueryRepository } from './audit-query.repository';
import { rareTrigrams, refreshTrigramStats, searchTrigrams } from './audit-trigrams';
import { AuditWriter } from './audit-writer';

// Item-name search through the rarest trigrams (docs/audit.md "Indexes"): the same rows as a plain ILIKE, whatever
// the statistics say, and the statistics pick the trigrams a rare text is searched with.

let db: TestDatabase;
let pool: Pool;
let repo: AuditQueryRepository;
let tenantId: string;
const NAMES = (i: number): string => `Item ${i % 997} of ${['Inbox', 'Finance', 'Legal'][i % 3]}${i % 250 === 0 ? ' 50%_off' : ''}`;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new Pool({ connectionString: db.url, max: 2 });
  // Dropping the test database terminates pooled connections (57P01) after pool.end(): not an error here.
  pool.on('error', () => undefined);
  repo = new AuditQueryRepository({ pool } as unknown as AuditDb);
  tenantId = (await pool.query<{ id: string }>(`INSERT INTO tenants (id, display_name, updated_at) VALUES (gen_random_uuid(), 'T', now()) RETURNING id`)).rows[0]!.id;
  await new AuditPartitions(pool).ensure(new Date(Date.UTC(2026, 0, 1)), 2);
  await new AuditWriter(pool).write(
    Array.from({ length: 6000 }, (_, i) => ({
      tenantId, source: 'vb365.event', externalId: `t-${i}`, occurredAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000),
      actor: 'a@x', action: 'restore', itemType: 'Mail', itemName: NAMES(i), result: 'Success', version: 0, details: {},
    })),
  );
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const all = async (q: string): Promise<string[]> => {
  const out: string[] = [];
  for await (const r of repo.stream({ tags: [] }, { tenantId, q }, 500)) out.push(r.externalId);
  return out.sort();
};
const expected = (q: string): string[] =>
  Array.from({ length: 6000 }, (_, i) => i)
    .filter((i) => NAMES(i).toLowerCase().includes(q.toLowerCase()))
    .map((i) => `t-${i}`)
    .sort();

it('extracts the trigrams a text implies', () => {
  expect(searchTrigrams('Item 1007 of').sort()).toEqual(['007', '100', 'ite', 'tem']);
  expect(searchTrigrams('of %_')).toEqual([]);
});

it('searches rare texts by their rarest trigrams and finds exactly the ILIKE rows', async () => {
  expect(await rareTrigrams(pool, 'item 123 of')).toEqual([]); // no statistics yet: the whole text, as before
  const before = await all('item 123 of');
  expect(await refreshTrigramStats(pool)).toBeGreaterThan(10);
  const rare = await rareTrigrams(pool, 'ITEM 123 of');
  expect(rare).toEqual(['123']); // "ite", "tem" are in every name
  expect(await rareTrigrams(pool, 'finance')).toEqual([]); // every trigram of a third of the rows: common
  for (const q of ['ITEM 123 of', 'item 123 of fin', '50%_off', 'finance', 'em 99']) expect(await all(q)).toEqual(expected(q));
  expect(before).toEqual(expected('item 123 of'));
  // Pages by cursor over a trigram-searched text: no repeats, no gaps.
  expect(await rareTrigrams(pool, 'item 123')).toEqual(['123']);
  const p1 = await repo.page({ tags: [] }, { tenantId, q: 'item 123' }, 5);
  const c = Buffer.from(p1.nextCursor!, 'base64url').toString().split('|');
  const p2 = await repo.page({ tags: [] }, { tenantId, q: 'item 123' }, 1000, { at: new Date(c[0]!), id: c[1]! });
  expect([...p1.items, ...p2.items].map((r) => r.externalId).sort()).toEqual(expected('item 123'));
});

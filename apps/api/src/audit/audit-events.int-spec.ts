import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Pool } from 'pg';
import { AuditEventInput, AuditWriter } from '@app/audit';
import { loadConfig } from '@app/config';
import { issueApiKey, PrismaService } from '@app/db';
import { deleteQueueKeys, TestDatabase, testQueuePrefix } from '@app/testing';
import { startInProcessApi } from '../test-support/in-process-api';
import { csvField } from './audit-export';

interface Page {
  items: { id: string; tenantId: string; occurredAt: string; action: string; actor: string | null; itemName: string | null; source: string }[];
  nextCursor: string | null;
}

/** The audit query API through the real HTTP stack (inject) over a real Postgres. */
describe('GET /v1/audit-events', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let pool: Pool;
  const prefix = testQueuePrefix();
  const keys: Record<string, string> = {};
  const tenants: Record<string, string> = {};
  const BASE = Date.UTC(2026, 9, 1);

  const row = (tenantId: string, i: number, over: Partial<AuditEventInput> = {}): AuditEventInput => ({
    tenantId,
    source: 'vb365.event',
    externalId: `${tenantId}-${i}`,
    // Every 10 events share one timestamp: pages must split ties without skipping or repeating.
    occurredAt: new Date(BASE + Math.floor(i / 10) * 60_000),
    actor: i % 2 ? 'alice@contoso.example' : 'bob@contoso.example',
    action: i % 3 ? 'restore' : 'export',
    itemType: 'Mailbox',
    itemName: i % 7 === 0 ? `Quarterly, "Report" ${i}` : `Mailbox ${i}`,
    result: i % 5 ? 'Success' : 'Failed',
    version: 0,
    details: { i },
    ...over,
  });

  beforeAll(async () => {
    let prisma: PrismaService;
    ({ app, db, prisma } = await startInProcessApi({ QUEUE_PREFIX: prefix }));
    keys['audit'] = (await issueApiKey(prisma, { name: 'audit', scopes: ['audit:read'] })).key;
    keys['emea'] = (await issueApiKey(prisma, { name: 'emea', scopes: ['audit:read'], tenantTags: ['emea'] })).key;
    keys['reader'] = (await issueApiKey(prisma, { name: 'reader', scopes: ['tenants:read'] })).key;
    tenants['contoso'] = (await prisma.tenant.create({ data: { displayName: 'Contoso', tags: ['emea'] } })).id;
    tenants['fabrikam'] = (await prisma.tenant.create({ data: { displayName: 'Fabrikam', tags: ['us'] } })).id;
    pool = new Pool({ connectionString: db.url, max: 2 });
    const w = new AuditWriter(pool);
    await w.write(Array.from({ length: 250 }, (_, i) => row(tenants['contoso']!, i)));
    await w.write(Array.from({ length: 50 }, (_, i) => row(tenants['fabrikam']!, i)));
  });

  afterAll(async () => {
    await pool?.end();
    await app?.close();
    await deleteQueueKeys(loadConfig().redis.url, prefix);
    await db?.drop();
  });

  const get = (url: string, key = keys['audit'], accept?: string) =>
    app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}`, ...(accept ? { accept } : {}) } });

  it('pages newest first through ties, with no repeats or gaps, while new events arrive', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let k = 0;
    do {
      const res = await get(`/v1/tenants/${tenants['contoso']}/audit-events?limit=33${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      const page = res.json<Page>();
      seen.push(...page.items.map((x) => x.id));
      for (let j = 1; j < page.items.length; j++) expect(page.items[j - 1]!.occurredAt >= page.items[j]!.occurredAt).toBe(true);
      cursor = page.nextCursor;
      // A new (newer) event arrives mid-pagination: it sorts before the cursor and never shows up in later pages.
      if (k++ === 2) await new AuditWriter(pool).write([row(tenants['contoso']!, 9999, { occurredAt: new Date(BASE + 86_400_000) })]);
    } while (cursor);
    expect(seen).toHaveLength(250);
    expect(new Set(seen).size).toBe(250);
  });

  it('filters by time range, source, action, actor, result, item type and item-name text', async () => {
    const url = `/v1/tenants/${tenants['contoso']}/audit-events?limit=1000&action=export&actor=bob@contoso.example&result=Success&itemType=Mailbox&source=vb365.event&from=${new Date(BASE).toISOString()}&to=${new Date(BASE + 10 * 60_000).toISOString()}`;
    const page = (await get(url)).json<Page>();
    const expected = Array.from({ length: 100 }, (_, i) => i).filter((i) => i % 3 === 0 && i % 2 === 0 && i % 5 !== 0);
    expect(page.items.map((x) => Number(x.id) > 0 && x.action).every((a) => a === 'export')).toBe(true);
    expect(page.items).toHaveLength(expected.length);
    const text = (await get(`/v1/tenants/${tenants['contoso']}/audit-events?q=${encodeURIComponent('"report"')}&limit=1000`)).json<Page>();
    expect(text.items.length).toBe(Array.from({ length: 250 }, (_, i) => i).filter((i) => i % 7 === 0).length);
    // LIKE wildcards in the text are literal.
    expect((await get(`/v1/audit-events?q=${encodeURIComponent('%')}`)).json<Page>().items).toEqual([]);
  });

  it('honours the key restriction on both routes', async () => {
    const all = (await get('/v1/audit-events?limit=1000', keys['emea'])).json<Page>();
    expect(new Set(all.items.map((x) => x.tenantId))).toEqual(new Set([tenants['contoso']]));
    expect((await get(`/v1/audit-events?tenantId=${tenants['fabrikam']}`, keys['emea'])).json<Page>().items).toEqual([]);
    expect((await get(`/v1/tenants/${tenants['fabrikam']}/audit-events`, keys['emea'])).statusCode).toBe(404);
    expect((await get('/v1/audit-events', keys['reader'])).statusCode).toBe(403);
    expect((await get('/v1/audit-events?cursor=not-a-cursor!')).statusCode).toBe(400);
  });

  it('streams a full NDJSON export', async () => {
    const res = await get(`/v1/tenants/${tenants['fabrikam']}/audit-events`, keys['audit'], 'application/x-ndjson');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('application/x-ndjson');
    const lines = res.body.trim().split('\n').map((l) => JSON.parse(l) as { tenantId: string });
    expect(lines).toHaveLength(50);
    expect(new Set(lines.map((l) => l.tenantId))).toEqual(new Set([tenants['fabrikam']]));
  });

  it('streams a full CSV export with quoting and formula neutralisation', async () => {
    const res = await get(`/v1/audit-events`, keys['emea'], 'text/csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const lines = res.body.split('\r\n').filter(Boolean);
    expect(lines[0]).toBe('id,occurredAt,tenantId,source,externalId,actor,action,itemType,itemName,result,details');
    expect(lines).toHaveLength(1 + 251);
    expect(res.body).toContain('"Quarterly, ""Report"" 0"');
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
  });
});

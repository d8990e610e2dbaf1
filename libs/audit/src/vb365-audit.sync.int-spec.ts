import { join } from 'node:path';
import { Pool } from 'pg';
import { repoRoot } from '@app/common';
import { createTestDatabase, RunningSimulator, startSimulator, TestDatabase } from '@app/testing';
import { Vb365Client } from '@app/vb365';
import { AuditEventInput } from './audit-event';
import { AuditPartitions } from './audit-partitions';
import { AuditWriter } from './audit-writer';
import { EMPTY_CURSOR, SyncCursorStore } from './sync-cursor.store';
import { Vb365AuditSync } from './vb365-audit.sync';

const SIM_USER = 'VB365\\svc-audit';
const SIM_PASSWORD = 'audit-Passw0rd!';
const CA = join(repoRoot(), '.local', 'certs', 'ca.pem');
const ORG_A = 'a0d10000-0000-4000-8000-000000000001';
const ORG_B = 'a0d10000-0000-4000-8000-000000000002';
const SCOPE = 'server:test';
const LONG_AGO = new Date(Date.now() - 400 * 86_400_000);

let sim: RunningSimulator;
let db: TestDatabase;
let pool: Pool;
let vb365: Vb365Client;
let sync: Vb365AuditSync;
let tenantA: string;
let tenantB: string;

const count = async (where = 'true', params: unknown[] = []): Promise<number> =>
  Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM audit_events WHERE ${where}`, params)).rows[0]?.n);
const simEvents = async (org: string): Promise<number> => {
  let n = 0;
  for await (const s of vb365.restoreSessions.list({ startTimeFrom: LONG_AGO })) {
    if (s.organization !== (org === ORG_A ? 'Alpha' : 'Beta')) continue;
    for await (const e of vb365.restoreSessions.events(s.id)) if (e.type !== 'None') n++;
  }
  return n;
};

beforeAll(async () => {
  sim = await startSimulator('vb365-sim', { VB365_SIM_USERNAME: SIM_USER, VB365_SIM_PASSWORD: SIM_PASSWORD });
  await sim.admin('/_sim/seed', {
    organizations: [
      { id: ORG_A, msid: 'a0d10000-0000-4000-8000-0000000000aa', name: 'Alpha', officeName: 'alpha.onmicrosoft.com' },
      { id: ORG_B, msid: 'a0d10000-0000-4000-8000-0000000000bb', name: 'Beta', officeName: 'beta.onmicrosoft.com' },
    ],
  });
  db = await createTestDatabase();
  pool = new Pool({ connectionString: db.url, max: 4 });
  // pool.end() resolves before its clients' sockets close; dropping the database then kills them (57P01), which the
  // pool reports as an 'error' event — without a listener that fails the suite after every test passed.
  pool.on('error', () => undefined);
  vb365 = new Vb365Client({ baseUrl: sim.urls.api!, username: SIM_USER, password: SIM_PASSWORD, caBundlePath: CA, concurrency: 'local', pageSize: 7 });
  const writer = new AuditWriter(pool);
  sync = new Vb365AuditSync(vb365, writer, new SyncCursorStore(pool), pool);
  const ins = async (name: string, org: string): Promise<string> =>
    (await pool.query<{ id: string }>(`INSERT INTO tenants (id, display_name, vb365_organization_id, updated_at) VALUES (gen_random_uuid(), $1, $2, now()) RETURNING id`, [name, org])).rows[0]!.id;
  tenantA = await ins('Alpha', ORG_A);
  tenantB = await ins('Beta', ORG_B);
});

afterAll(async () => {
  await vb365?.close();
  await pool?.end();
  await db?.drop();
  await sim?.stop();
});

describe('AuditWriter', () => {
  const row = (i: number, over: Partial<AuditEventInput> = {}): AuditEventInput => ({
    tenantId: tenantA, source: 'entra.directory', externalId: `w-${i}`, occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i % 60)),
    actor: 'a', action: 'restore', itemType: 'Mailbox', itemName: `item ${i}`, result: 'Success', version: 0, details: { i }, ...over,
  });

  it('writes a batch once: the second run writes nothing', async () => {
    const rows = Array.from({ length: 12_000 }, (_, i) => row(i));
    expect(await new AuditWriter(pool).write(rows)).toEqual({ written: 12_000, offered: 12_000 });
    expect(await new AuditWriter(pool).write(rows)).toEqual({ written: 0, offered: 12_000 });
    expect(await count(`external_id LIKE 'w-%'`)).toBe(12_000);
  });

  it('concurrent writers of the same rows produce no duplicates', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => row(i, { externalId: `c-${i}` }));
    const results = await Promise.all([1, 2, 3, 4].map(() => new AuditWriter(pool).write(rows)));
    expect(results.reduce((n, r) => n + r.written, 0)).toBe(3000);
    expect(await count(`external_id LIKE 'c-%'`)).toBe(3000);
  });

  it('replaces a record only with a newer version, and duplicates inside one batch collapse', async () => {
    const w = new AuditWriter(pool);
    await w.write([row(1, { externalId: 'v-1', version: 5, result: 'Running' })]);
    expect((await w.write([row(1, { externalId: 'v-1', version: 4, result: 'Failed' })])).written).toBe(0);
    expect((await w.write([row(1, { externalId: 'v-1', version: 6, result: 'Success' }), row(1, { externalId: 'v-1', version: 6, result: 'Success' })])).written).toBe(1);
    expect((await pool.query(`SELECT result FROM audit_events WHERE external_id = 'v-1'`)).rows).toEqual([{ result: 'Success' }]);
  });

  it('sends its insert and the cursor statements as named statements, parsed once per connection (and unnamed when told so)', async () => {
    const prepared = async (preparedStatements: boolean): Promise<string[]> => {
      const one = new Pool({ connectionString: db.url, max: 1 }); // one connection: its prepared statements are visible
      one.on('error', () => undefined);
      try {
        const writer = new AuditWriter(one, { preparedStatements });
        const cursors = new SyncCursorStore(one, undefined, { preparedStatements });
        for (let i = 0; i < 3; i++) {
          await writer.write([row(i, { externalId: `p-${preparedStatements}-${i}` })]);
          await cursors.withLock(`prepared-${preparedStatements}`, 'entra', async (held) => held.stage({ ...EMPTY_CURSOR, changeToken: String(i) }));
        }
        const { rows } = await one.query<{ name: string; statement: string }>(`SELECT name, statement FROM pg_prepared_statements ORDER BY statement`);
        return rows.map((r) => `${r.name.replace(/\d+$/, '…')} ${r.statement.trim().split(/\s+/).slice(0, 3).join(' ')}`);
      } finally {
        await one.end();
      }
    };
    expect(await prepared(true)).toEqual(['audit_… INSERT INTO audit_events', 'audit_… INSERT INTO sync_cursors', 'audit_… UPDATE sync_cursors SET']);
    expect(await prepared(false)).toEqual([]);
  });

  it('stores every text exactly as given, whatever array-literal syntax it contains (the writer builds the literals itself)', async () => {
    const tricky = ['', 'NULL', 'null', 'a,b', '{braces}', 'say "hi"', 'back\\slash\\', 'end\\', ' padded ', 'tab\tnew\nline', 'ünïcødé ☃ 日本', "o'brien", '\\"}{,'];
    const rows = tricky.map((t, i) =>
      row(i, { externalId: `x-${i}-${t}`, actor: t, action: t || 'restore', itemType: i % 2 ? null : t, itemName: t, result: i % 3 ? t : null, details: { t, n: [i, null] } }),
    );
    expect((await new AuditWriter(pool).write(rows)).written).toBe(tricky.length);
    const got = await pool.query<{ external_id: string; actor: string; action: string; item_type: string | null; item_name: string; result: string | null; details: unknown }>(
      `SELECT external_id, actor, action, item_type, item_name, result, details FROM audit_events WHERE external_id LIKE 'x-%'`,
    );
    const byId = new Map(got.rows.map((r) => [r.external_id, r]));
    for (const r of rows) {
      expect(byId.get(r.externalId)).toEqual({ external_id: r.externalId, actor: r.actor, action: r.action, item_type: r.itemType, item_name: r.itemName, result: r.result, details: r.details });
    }
    expect((await new AuditWriter(pool).write(rows)).written).toBe(0);
  });
});

describe('Vb365AuditSync', () => {
  it('first sync fans sessions out to tenants by organization; a re-run writes nothing', async () => {
    await sim.admin('/_sim/restore-sessions', { count: 6, organizationId: ORG_A });
    await sim.admin('/_sim/restore-sessions', { count: 4, organizationId: ORG_B });
    const first = await sync.syncServer(SCOPE, LONG_AGO);
    expect(first?.sessionsIngested).toBe(10);
    expect(await count(`tenant_id = $1 AND source = 'vb365.event'`, [tenantA])).toBe(await simEvents(ORG_A));
    expect(await count(`tenant_id = $1 AND source = 'vb365.event'`, [tenantB])).toBe(await simEvents(ORG_B));
    expect(await count(`tenant_id = $1 AND source = 'vb365.session'`, [tenantA])).toBe(6);
    const total = await count();
    const again = await sync.syncServer(SCOPE, LONG_AGO);
    // Every session is inside the boundary set with an unchanged eTag: nothing is re-read or written.
    expect(again).toMatchObject({ sessionsIngested: 0, eventsWritten: 0 });
    expect(await count()).toBe(total);
  });

  it('Working sessions are revisited until they stop, and their final result is stored', async () => {
    const created = await sim.admin<{ created: { id: string }[] }>('/_sim/restore-sessions', { count: 2, working: true, organizationId: ORG_A });
    await sync.syncServer(SCOPE, LONG_AGO);
    const ids = created.created.map((c) => c.id);
    const cursor = await new SyncCursorStore(pool).get(SCOPE, 'vb365');
    for (const id of ids) expect(cursor.openItems[id]).toBeDefined();
    expect((await pool.query(`SELECT DISTINCT result FROM audit_events WHERE source = 'vb365.session' AND external_id = ANY($1)`, [ids])).rows).toEqual([{ result: 'Running' }]);
    await sim.admin('/_sim/restore-sessions/finish', {});
    await sync.syncServer(SCOPE, LONG_AGO);
    const after = await new SyncCursorStore(pool).get(SCOPE, 'vb365');
    for (const id of ids) expect(after.openItems[id]).toBeUndefined();
    const results = (await pool.query<{ result: string }>(`SELECT result FROM audit_events WHERE source = 'vb365.session' AND external_id = ANY($1)`, [ids])).rows;
    expect(results).toHaveLength(2);
    for (const r of results) expect(r.result).not.toBe('Running');
  });

  it('an expired change token falls back to listing and loses nothing', async () => {
    await sim.admin('/_sim/faults', { changeFeedRetention: 1 }, 'PUT');
    await sim.admin('/_sim/restore-sessions', { count: 5, organizationId: ORG_B });
    await sim.admin('/_sim/restore-sessions', { count: 5, organizationId: ORG_B });
    const stats = await sync.syncServer(SCOPE, LONG_AGO);
    expect(stats?.changeFeed).toBe('expired');
    expect(await count(`tenant_id = $1 AND source = 'vb365.event'`, [tenantB])).toBe(await simEvents(ORG_B));
    expect(await count(`tenant_id = $1 AND source = 'vb365.session'`, [tenantB])).toBe(14);
    await sim.admin('/_sim/faults', { changeFeedRetention: 100_000 }, 'PUT');
  });

  it('two concurrent syncs of the server produce no duplicates (one skips on the cursor lock)', async () => {
    await sim.admin('/_sim/restore-sessions', { count: 8, organizationId: ORG_A });
    const [a, b] = await Promise.all([sync.syncServer(SCOPE, LONG_AGO), sync.syncServer(SCOPE, LONG_AGO)]);
    expect([a, b].filter((x) => x === undefined).length).toBeLessThanOrEqual(1);
    expect(await count(`tenant_id = $1 AND source = 'vb365.event'`, [tenantA])).toBe(await simEvents(ORG_A));
    const dup = await pool.query(`SELECT source, external_id FROM audit_events GROUP BY 1, 2 HAVING count(*) > 1`);
    expect(dup.rows).toEqual([]);
  });

  it('a tenant backfill re-lists only that tenant and writes nothing already stored', async () => {
    const before = await count();
    const stats = await sync.backfillTenant(tenantA, SCOPE, LONG_AGO);
    expect(stats.sessionsIngested).toBeGreaterThan(0);
    expect(stats.eventsWritten).toBe(0);
    expect(await count()).toBe(before);
  });

  it('a tenant backfill reads its own organization by id, never the server\'s whole organization list', async () => {
    // Listing every organization per tenant made a bulk onboarding quadratic (41 calls per tenant at 2,600 orgs).
    const kinds = async () => (await sim.admin<{ byKind: Record<string, { requests: number }> }>('/_sim/stats')).byKind;
    const before = await kinds();
    const stats = await sync.backfillTenant(tenantB, SCOPE, LONG_AGO);
    const after = await kinds();
    const calls = (k: string) => (after[k]?.requests ?? 0) - (before[k]?.requests ?? 0);
    expect(calls('GET /v8/Organizations')).toBe(0);
    expect(calls('GET /v8/Organizations/:organizationId')).toBe(1);
    expect(stats.sessionsIngested).toBeGreaterThan(0);
  });
});

describe('AuditPartitions', () => {
  it('creates monthly partitions, moving rows out of the default partition, and enforces retention', async () => {
    const parts = new AuditPartitions(pool);
    // The writer tests put rows into January 2026, which had no partition yet (default partition).
    expect(await count(`true`)).toBeGreaterThan(0);
    const inDefault = Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM audit_events_default WHERE occurred_at >= '2026-01-01' AND occurred_at < '2026-02-01'`)).rows[0]?.n);
    expect(inDefault).toBeGreaterThan(0);
    expect(await parts.ensure(new Date(Date.UTC(2026, 0, 15)), 1)).toEqual(['audit_events_202601']);
    expect(Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM audit_events_202601`)).rows[0]?.n)).toBe(inDefault);
    expect(await parts.ensure(new Date(Date.UTC(2026, 0, 15)), 1)).toEqual([]);
    // Retention: tenant A keeps 30 days; its January rows are deleted at "now" = 2026-06-01, tenant B's stay (365).
    await pool.query(`UPDATE tenants SET retention_days = 30 WHERE id = $1`, [tenantA]);
    await pool.query(`INSERT INTO audit_events (tenant_id, source, external_id, occurred_at, action) VALUES ($1, 'vb365.event', 'keep-b', '2026-01-02', 'restore')`, [tenantB]);
    const res = await parts.enforceRetention(new Date(Date.UTC(2026, 5, 1)));
    expect(res.deleted).toBeGreaterThan(0);
    expect(await count(`tenant_id = $1 AND occurred_at < '2026-05-01'`, [tenantA])).toBe(0);
    expect(await count(`external_id = 'keep-b'`)).toBe(1);
    expect(res.droppedPartitions).toEqual([]);
    expect(res.trigramStats).toBeGreaterThan(0);
  });
});

import { join } from 'node:path';
import { Pool } from 'pg';
import { repoRoot } from '@app/common';
import { createTestDatabase, RunningSimulator, startSimulator, TestDatabase } from '@app/testing';
import { Vb365Client } from '@app/vb365';
import { AUDIT_BATCH_SIZE, AuditWriter } from './audit-writer';
import { AuditEventInput } from './audit-event';
import { AuditPartitions } from './audit-partitions';
import { SyncCursorStore } from './sync-cursor.store';
import { Vb365AuditSync } from './vb365-audit.sync';

// Memory bound of the VB365 sync (issue 7): a tenant with ~50,000 events is synced through the real path
// (simulator → paged client → writer → Postgres) and the writer's counters show it never held more than one page of
// rows, and that rows reached Postgres while the session listing was still running (streaming, not collect-then-write).
// npm run bench:audit-memory does the same with 1,000,000 events and measures RSS (docs/audit.md "Memory").

const USER = 'VB365\\svc-mem';
const PASSWORD = 'mem-Passw0rd!';
const PAGE = 100;
const SESSIONS = 506; // × 99 events (the simulator's first event of a session is bookkeeping) ≈ 50,000

let sim: RunningSimulator;
let db: TestDatabase;
let pool: Pool;
let vb365: Vb365Client;

beforeAll(async () => {
  sim = await startSimulator('vb365-sim', { VB365_SIM_USERNAME: USER, VB365_SIM_PASSWORD: PASSWORD });
  db = await createTestDatabase();
  pool = new Pool({ connectionString: db.url, max: 4 });
  // Dropping the test database terminates pooled connections (57P01) after pool.end(): not an error here.
  pool.on('error', () => undefined);
  vb365 = new Vb365Client({ baseUrl: sim.urls.api!, username: USER, password: PASSWORD, caBundlePath: join(repoRoot(), '.local', 'certs', 'ca.pem'), concurrency: 'local', pageSize: PAGE });
});

afterAll(async () => {
  await vb365?.close();
  await pool?.end();
  await db?.drop();
  await sim?.stop();
});

it('syncs a tenant with ~50,000 events holding at most one page of rows, writing while it lists', async () => {
  const seeded = await sim.admin<{ organizations: { id: string }[]; counts: { restoreEvents: number } }>('/_sim/seed', {
    generate: { organizations: 1, restoreSessions: SESSIONS, eventsPerSession: 100, historyDays: 20 },
  });
  const expected = seeded.counts.restoreEvents - SESSIONS; // minus one bookkeeping event per session
  expect(expected).toBeGreaterThanOrEqual(50_000);
  const since = new Date(Date.now() - 30 * 86_400_000);
  await new AuditPartitions(pool).ensure(since, 2);
  const tenantId = (await pool.query<{ id: string }>(`INSERT INTO tenants (id, display_name, vb365_organization_id, updated_at) VALUES (gen_random_uuid(), 'Big', $1, now()) RETURNING id`, [seeded.organizations[0]!.id])).rows[0]!.id;

  const writer = new AuditWriter(pool);
  // Observe (not replace) the session listing: how many rows the writer had sent when each session was listed.
  const list = vb365.restoreSessions.list.bind(vb365.restoreSessions);
  const writtenAtListing: number[] = [];
  vb365.restoreSessions.list = async function* (window) {
    for await (const s of list(window)) {
      writtenAtListing.push(writer.stats.rows);
      yield s;
    }
  };
  const stats = await new Vb365AuditSync(vb365, writer, new SyncCursorStore(pool), pool).backfillTenant(tenantId, 'server:mem', since);

  expect(stats.eventsWritten).toBe(expected);
  expect(Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM audit_events WHERE source = 'vb365.event'`)).rows[0]?.n)).toBe(expected);
  // Never more than one page of events in the writer's buffer (a collected tenant would be ~50,000).
  expect(writer.stats.peakBuffered).toBeLessThanOrEqual(PAGE);
  expect(writer.stats.batches).toBeGreaterThanOrEqual(SESSIONS);
  // When the last session was listed, all earlier sessions' events were already in Postgres.
  expect(writtenAtListing).toHaveLength(SESSIONS);
  expect(writtenAtListing[SESSIONS - 1]).toBeGreaterThanOrEqual(expected - 2 * PAGE);
  expect(writtenAtListing[Math.floor(SESSIONS / 2)]).toBeLessThan(expected * 0.6);
});

it('writeStream holds one batch of a long stream at a time', async () => {
  const tenantId = (await pool.query<{ id: string }>(`INSERT INTO tenants (id, display_name, updated_at) VALUES (gen_random_uuid(), 'S', now()) RETURNING id`)).rows[0]!.id;
  function* rows(n: number): Generator<AuditEventInput> {
    for (let i = 0; i < n; i++) {
      yield { tenantId, source: 'entra.directory', externalId: `m-${i}`, occurredAt: new Date(Date.UTC(2026, 0, 1)), actor: 'a', action: 'x', itemType: null, itemName: `n ${i}`, result: null, version: 0, details: {} };
    }
  }
  const writer = new AuditWriter(pool);
  expect(await writer.writeStream(rows(2 * AUDIT_BATCH_SIZE + 10))).toEqual({ written: 2 * AUDIT_BATCH_SIZE + 10, offered: 2 * AUDIT_BATCH_SIZE + 10 });
  expect(writer.stats).toEqual({ batches: 3, rows: 2 * AUDIT_BATCH_SIZE + 10, peakBuffered: AUDIT_BATCH_SIZE });
  // Idempotent: the same stream again writes nothing.
  expect((await new AuditWriter(pool).writeStream(rows(2 * AUDIT_BATCH_SIZE + 10))).written).toBe(0);
});

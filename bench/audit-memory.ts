/**
 * Audit sync memory benchmark (issue 7: "memory stays bounded while syncing a tenant with 1,000,000 events").
 * Seeds vb365-sim with one small organization (reference) and one organization holding ~1,000,000 restore events,
 * then runs the product's sync path (Vb365AuditSync.backfillTenant → paged listing → AuditWriter.writeStream) for
 * each into Postgres, sampling this process's RSS every 20 ms. Prints the peak RSS growth of the large sync over
 * the RSS after the small one, next to the bytes the large tenant's rows would take if they were collected, and
 * the writer's peak buffered rows (the observable bound).
 *
 *   npm run bench:audit-memory [-- events]
 */
import { join } from 'node:path';
import { Pool } from 'pg';
import { AUDIT_BATCH_SIZE, AuditPartitions, AuditWriter, SyncCursorStore, Vb365AuditSync } from '@app/audit';
import { repoRoot } from '@app/common';
import { createTestDatabase, startSimulator } from '@app/testing';
import { Vb365Client } from '@app/vb365';

const [EVENTS = 1_000_000] = process.argv.slice(2).map(Number);
const EVENTS_PER_SESSION = 100; // the simulator's maximum; the first event of a session is bookkeeping (skipped)
const SMALL_SESSIONS = 50;
const USER = 'VB365\\svc-bench';
const PASSWORD = 'bench-Passw0rd!';
const LIMIT_MIB = 100;
const MiB = 1024 * 1024;

async function main(): Promise<void> {
  const sim = await startSimulator('vb365-sim', { VB365_SIM_USERNAME: USER, VB365_SIM_PASSWORD: PASSWORD }, 60_000);
  const db = await createTestDatabase();
  const pool = new Pool({ connectionString: db.url, max: 4 });
  const vb365 = new Vb365Client({ baseUrl: sim.urls.api!, username: USER, password: PASSWORD, caBundlePath: join(repoRoot(), '.local', 'certs', 'ca.pem'), concurrency: 'local', pageSize: 100 });
  const since = new Date(Date.now() - 40 * 86_400_000);
  try {
    await new AuditPartitions(pool).ensure(since, 3);
    const tenant = async (name: string, org: string): Promise<string> =>
      (await pool.query<{ id: string }>(`INSERT INTO tenants (id, display_name, vb365_organization_id, updated_at) VALUES (gen_random_uuid(), $1, $2, now()) RETURNING id`, [name, org])).rows[0]!.id;

    // Reference: a small organization seeded alone (every generated session goes to the only organization).
    type Seeded = { organizations: { id: string; name: string }[]; counts: { restoreEvents: number } };
    const small = await sim.admin<Seeded>('/_sim/seed', {
      organizations: [{ id: 'b0d10000-0000-4000-8000-000000000001', msid: 'b0d10000-0000-4000-8000-0000000000aa', name: 'Small Org', officeName: 'small.onmicrosoft.com' }],
      generate: { organizations: 0, restoreSessions: SMALL_SESSIONS, eventsPerSession: EVENTS_PER_SESSION },
    });
    const t0 = Date.now();
    const big = await sim.admin<Seeded>('/_sim/seed', {
      generate: { organizations: 1, seed: 7, restoreSessions: Math.ceil(EVENTS / (EVENTS_PER_SESSION - 1)), eventsPerSession: EVENTS_PER_SESSION, historyDays: 30 },
    });
    const bigOrg = big.organizations[0]!;
    console.log(`vb365-sim seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${big.counts.restoreEvents.toLocaleString('en')} events in total`);
    const smallTenant = await tenant('Small', small.organizations[0]!.id);
    const bigTenant = await tenant('Big', bigOrg.id);

    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
    const run = async (tenantId: string): Promise<{ s: number; events: number; writer: AuditWriter }> => {
      const writer = new AuditWriter(pool);
      const sync = new Vb365AuditSync(vb365, writer, new SyncCursorStore(pool), pool);
      const start = Date.now();
      const stats = await sync.backfillTenant(tenantId, 'server:bench', since);
      return { s: (Date.now() - start) / 1000, events: stats.eventsWritten, writer };
    };

    const ref = await run(smallTenant);
    global.gc?.();
    const base = process.memoryUsage.rss();
    peak = base;
    const large = await run(bigTenant);
    clearInterval(sampler);
    const stored = Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM audit_events WHERE tenant_id = $1 AND source = 'vb365.event'`, [bigTenant])).rows[0]?.n);
    const tableBytes = Number((await pool.query<{ b: string }>(`SELECT sum(pg_relation_size(c.oid)) AS b FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'audit_events'::regclass`)).rows[0]?.b);
    if (stored !== large.events) throw new Error(`stored ${stored} events, the sync reported ${large.events}`);

    const growth = (peak - base) / MiB;
    console.log(`reference: small tenant, ${ref.events.toLocaleString('en')} events in ${ref.s.toFixed(1)} s; RSS after it ${(base / MiB).toFixed(0)} MiB`);
    console.log(`large tenant: ${large.events.toLocaleString('en')} events in ${large.s.toFixed(1)} s (${Math.round(large.events / large.s).toLocaleString('en')} events/s); peak RSS ${(peak / MiB).toFixed(0)} MiB`);
    console.log(`peak RSS growth over the reference: ${growth.toFixed(1)} MiB (the tenant's rows take ${(tableBytes / MiB).toFixed(0)} MiB in Postgres heap alone)`);
    console.log(`writer: ${large.writer.stats.batches.toLocaleString('en')} batches, peak ${large.writer.stats.peakBuffered} rows buffered (batch size ${AUDIT_BATCH_SIZE}, page size 100)`);
    console.log(`target: growth ≤ ${LIMIT_MIB} MiB while syncing ${large.events.toLocaleString('en')} events: ${growth <= LIMIT_MIB && large.events >= EVENTS * 0.99 ? 'met' : 'NOT met'}`);
  } finally {
    await vb365.close();
    await pool.end();
    await db.drop();
    await sim.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

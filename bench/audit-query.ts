/**
 * Audit query benchmark (issue 7): loads N audit events (default 10,000,000, generated inside Postgres) into the
 * partitioned audit_events table of a dedicated bench database (`orchestrator_bench_audit_<rows>`), then times
 * filtered first pages and deep cursor pages through the product's AuditQueryRepository, prints p50/p99 per query
 * shape against the 50 ms target, and the EXPLAIN (ANALYZE, BUFFERS) of each shape (docs/audit.md quotes them).
 *
 * The database is kept and reused: the next run applies any new migration (so index changes are built over the
 * loaded rows) and loads only when the row count differs. `--fresh` drops and reloads it, `--drop` drops it after.
 *
 *   npm run bench:audit-query [-- rows [iterations]] [--fresh] [--drop]
 */
import { Pool } from 'pg';
import { AuditDb, AuditPartitions, AuditQuery, AuditQueryRepository, rareTrigrams, refreshTrigramStats } from '@app/audit';
import { applyMigrations, createDatabaseIfMissing, dropProjectDatabase, TenantScope, withAdminClient, withDatabase } from '@app/db';
import { repoRoot } from '@app/common';
import { join } from 'node:path';
import { testAdminUrl } from '@app/testing';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const [ROWS = 10_000_000, ITER = 200] = args.map(Number);
const TENANTS = 200;
const MONTHS = 12;
const START = Date.UTC(2025, 11, 1);

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

async function load(pool: Pool): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < TENANTS; i++) {
    ids.push((await pool.query<{ id: string }>(`INSERT INTO tenants (id, display_name, tags, updated_at) VALUES (gen_random_uuid(), $1, $2, now()) RETURNING id`, [`T${i}`, [i % 2 ? 'emea' : 'us']])).rows[0]!.id);
  }
  await new AuditPartitions(pool).ensure(new Date(START), MONTHS + 1);
  const chunk = 1_000_000;
  const t0 = Date.now();
  for (let from = 0; from < ROWS; from += chunk) {
    const to = Math.min(ROWS, from + chunk);
    // Attributes are independent pseudo-random functions of g (hashint8extended with one seed per column); tenant
    // sizes are skewed (the square of a uniform value: the first tenants are much larger); times spread evenly.
    await pool.query(
      `INSERT INTO audit_events (tenant_id, source, external_id, occurred_at, actor, action, item_type, item_name, result, version, details)
       SELECT ($1::uuid[])[1 + floor(power((abs(hashint8extended(g, 1)) % 1000000000) / 1e9::float8, 2) * ${TENANTS})::int],
              CASE WHEN (abs(hashint8extended(g, 2)) % 1000000000) % 20 = 0 THEN 'vb365.session' WHEN (abs(hashint8extended(g, 2)) % 1000000000) % 97 = 1 THEN 'entra.directory' ELSE 'vb365.event' END,
              'e' || g,
              to_timestamp(${START / 1000} + (g::float8 / ${ROWS}) * ${MONTHS * 30 * 86400}),
              'user' || ((abs(hashint8extended(g, 3)) % 1000000000) % 5000) || '@example.com',
              (ARRAY['restore','export','save','send','view'])[1 + (abs(hashint8extended(g, 4)) % 1000000000) % 5],
              (ARRAY['Mailbox','OneDrive','Site','Team'])[1 + (abs(hashint8extended(g, 5)) % 1000000000) % 4],
              'Item ' || ((abs(hashint8extended(g, 6)) % 1000000000) % 100003) || ' of ' || (ARRAY['Inbox','Finance','Legal','HR','Projects'])[1 + (abs(hashint8extended(g, 7)) % 1000000000) % 5],
              CASE WHEN (abs(hashint8extended(g, 8)) % 1000000000) % 23 = 0 THEN 'Failed' ELSE 'Success' END,
              0,
              jsonb_build_object('sessionId', 's' || (g / 20))
       FROM generate_series($2::bigint, $3::bigint - 1) g`,
      [ids, from, to],
    );
    process.stdout.write(`\rloaded ${to.toLocaleString('en')} rows (${Math.round((Date.now() - t0) / 1000)} s)`);
  }
  process.stdout.write('\n');
  await pool.query('VACUUM ANALYZE audit_events');
  return ids;
}

async function main(): Promise<void> {
  const name = `orchestrator_bench_audit_${ROWS}`;
  const url = withDatabase(testAdminUrl(), name);
  if (process.argv.includes('--fresh')) await withAdminClient(testAdminUrl(), (c) => dropProjectDatabase(c, name));
  await createDatabaseIfMissing(url);
  const t0 = Date.now();
  const { applied } = await applyMigrations({ databaseUrl: url, migrationsDir: join(repoRoot(), 'prisma', 'migrations') });
  if (applied.length) console.log(`${name}: applied ${applied.join(', ')} (${Math.round((Date.now() - t0) / 1000)} s)`);
  const pool = new Pool({ connectionString: url, max: 4 });
  try {
    const loaded = Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM audit_events')).rows[0]?.n);
    if (loaded !== ROWS) await pool.query('TRUNCATE audit_events, tenants CASCADE');
    else console.log(`${name}: reusing ${loaded.toLocaleString('en')} rows`);
    const tenants = loaded === ROWS ? (await pool.query<{ id: string }>('SELECT id FROM tenants ORDER BY display_name')).rows.map((r) => r.id) : await load(pool);
    if (applied.length && loaded === ROWS) await pool.query('ANALYZE audit_events');
    const ts = Date.now();
    console.log(`trigram statistics: ${await refreshTrigramStats(pool)} common trigrams from a sample (${Date.now() - ts} ms)`);
    const repo = new AuditQueryRepository({ pool } as unknown as AuditDb);
    const all: TenantScope = { tags: [] };
    const emea: TenantScope = { tags: ['emea'] };
    const t = (i: number): string => tenants[i % tenants.length]!;
    const mid = new Date(START + 6 * 30 * 86_400_000);
    const shapes: Array<{ name: string; scope: TenantScope; q: (i: number) => AuditQuery }> = [
      { name: 'tenant, newest page', scope: all, q: (i) => ({ tenantId: t(i) }) },
      { name: 'tenant + action + result', scope: all, q: (i) => ({ tenantId: t(i), action: 'export', result: 'Failed' }) },
      { name: 'tenant + actor', scope: all, q: (i) => ({ tenantId: t(i), actor: `user${i % 5000}@example.com` }) },
      { name: 'tenant + time range (1 month)', scope: all, q: (i) => ({ tenantId: t(i), from: new Date(mid.getTime() - 30 * 86_400_000), to: mid }) },
      { name: 'tenant + item text', scope: all, q: (i) => ({ tenantId: t(i), q: 'finance' }) },
      { name: 'tenant + rare item text', scope: all, q: (i) => ({ tenantId: t(i), q: `item ${1000 + (i % 50)} of` }) },
      { name: 'tenant + source + item type', scope: all, q: (i) => ({ tenantId: t(i), source: 'vb365.session', itemType: 'Site' }) },
      { name: 'all tenants, newest page', scope: all, q: () => ({}) },
      { name: 'tag-restricted key + action', scope: emea, q: () => ({ action: 'send' }) },
    ];
    const rows = Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM audit_events')).rows[0]?.n);
    console.log(`\n${rows.toLocaleString('en')} rows, ${TENANTS} tenants, ${ITER} queries per shape, pages of 100; target p99 ≤ 50 ms\n`);
    const explains: string[] = [];
    for (const s of shapes) {
      const times: number[] = [];
      for (let i = 0; i < ITER; i++) {
        const t0 = process.hrtime.bigint();
        const page = await repo.page(s.scope, s.q(i), 100);
        // Every other query is a deeper page: the cursor from the first page.
        if (i % 2 && page.nextCursor) {
          const c = Buffer.from(page.nextCursor, 'base64url').toString().split('|');
          await repo.page(s.scope, s.q(i), 100, { at: new Date(c[0]!), id: c[1]! });
        }
        times.push(Number(process.hrtime.bigint() - t0) / 1e6 / (i % 2 && page.nextCursor ? 2 : 1));
      }
      console.log(`${s.name.padEnd(32)} p50 ${pct(times, 50).toFixed(1).padStart(6)} ms   p99 ${pct(times, 99).toFixed(1).padStart(6)} ms   ${pct(times, 99) <= 50 ? 'ok' : 'SLOW'}`);
      const q7 = s.q(7);
      const rare = q7.q ? await rareTrigrams(pool, q7.q) : [];
      const { sql, params } = (repo as unknown as { build: (sc: TenantScope, q: AuditQuery, c: undefined, l: number, r: string[]) => { sql: string; params: unknown[] } }).build(s.scope, q7, undefined, 101, rare);
      const plan = await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, SUMMARY ON) ${sql}`, params);
      explains.push(`### ${s.name}${rare.length ? ` (index searched with trigrams ${rare.join(', ')})` : ''}\n${plan.rows.map((r) => r['QUERY PLAN']).join('\n')}\n`);
    }
    console.log(`\n${explains.join('\n')}`);
  } finally {
    await pool.end();
    if (process.argv.includes('--drop')) await withAdminClient(testAdminUrl(), (c) => dropProjectDatabase(c, name));
    else console.log(`kept database ${name} (--drop removes it)`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

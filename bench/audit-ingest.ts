/**
 * Audit ingestion benchmark (issue 7): N synthetic audit events through the product's writer (batched, idempotent
 * `INSERT ... SELECT FROM unnest(...) ON CONFLICT` into the partitioned audit_events table), and a plain COPY of the
 * same rows (psql, CSV over stdin) into an unpartitioned copy of the table with the same indexes — each measured
 * single-stream AND with WRITERS concurrent streams on separate connections over disjoint rows (by tenant, see
 * SPLIT; the product ingests concurrently: audit queue concurrency 10, many tenants). Every figure is printed beside its same-run
 * reference with the ratio, and /proc/loadavg is read before and after. Throw-away database. Targets: ≥ 50,000
 * events/s sustained and ≥ 0.5× plain COPY of the same rows (same parallelism).
 *
 * `--no-search-index` drops the GIN search index first (what ingestion would reach without it).
 *
 *   npm run bench:audit-ingest [-- rows [writers]] [--no-search-index] [--split=time]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Pool } from 'pg';
import { AuditEventInput, AuditPartitions, AuditWriter, AUDIT_BATCH_SIZE } from '@app/audit';
import { createTestDatabase } from '@app/testing';

const [ROWS = 1_000_000, WRITERS = 4] = process.argv.slice(2).filter((a) => !a.startsWith('--')).map(Number);
const TENANTS = 50;
const START = Date.UTC(2026, 6, 1);
const SPAN_MS = 90 * 86_400_000;

/**
 * How the rows are split between concurrent streams. `tenant` (default): stream w of S takes the tenants with
 * index % S = w, every stream over the whole time span — like concurrent tenant syncs, all writing the current
 * month's partition. `time` (`--split=time`): contiguous ranges of the time-ordered rows, so streams mostly write
 * different monthly partitions (and indexes) — flattering for the partitioned writer, not how the product ingests.
 */
const SPLIT = process.argv.includes('--split=time') ? 'time' : 'tenant';

/** Stream `stream` of `streams` (see SPLIT) of the rows [from, to). */
function* rows(tenantIds: string[], from: number, to: number, stream = 0, streams = 1): Generator<AuditEventInput> {
  const per = Math.ceil((to - from) / streams);
  const [lo, hi] = SPLIT === 'time' ? [from + stream * per, Math.min(to, from + (stream + 1) * per)] : [from, to];
  for (let i = lo; i < hi; i++) {
    if (SPLIT === 'tenant' && (i % TENANTS) % streams !== stream) continue;
    yield {
      tenantId: tenantIds[i % TENANTS]!,
      source: 'vb365.event',
      externalId: `evt-${i.toString(36).padStart(8, '0')}`,
      occurredAt: new Date(START + Math.floor((i / ROWS) * SPAN_MS)),
      actor: `user${i % 997}@tenant${i % TENANTS}.example`,
      action: ['restore', 'export', 'save', 'send', 'view'][i % 5]!,
      itemType: ['Mailbox', 'OneDrive', 'Site', 'Team'][i % 4]!,
      itemName: `Item ${i % 10_007} of mailbox ${i % 211}`,
      result: i % 17 ? 'Success' : 'Failed',
      version: 0,
      details: { sessionId: `s-${Math.floor(i / 20)}`, itemSizeBytes: i % 100_000 },
    };
  }
}

const csv = (v: string | null): string => (v === null ? '' : /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** One psql COPY of rows [from, to) into `table`. */
async function copyStream(url: string, table: string, tenantIds: string[], stream: number, streams: number): Promise<void> {
  const child = spawn('psql', [url, '-q', '-v', 'ON_ERROR_STOP=1', '-c', `COPY ${table} (tenant_id, source, external_id, occurred_at, actor, action, item_type, item_name, result, version, details) FROM STDIN WITH (FORMAT csv)`], {
    stdio: ['pipe', 'inherit', 'inherit'],
  });
  const done = new Promise<void>((res, rej) => child.on('exit', (c) => (c === 0 ? res() : rej(new Error(`psql exited ${c}`)))));
  let buf = '';
  for (const r of rows(tenantIds, 0, ROWS, stream, streams)) {
    buf += `${r.tenantId},${r.source},${r.externalId},${r.occurredAt.toISOString()},${csv(r.actor)},${r.action},${csv(r.itemType)},${csv(r.itemName)},${csv(r.result)},${r.version},${csv(JSON.stringify(r.details))}\n`;
    if (buf.length > 1 << 20) {
      if (!child.stdin.write(buf)) await new Promise((res) => child.stdin.once('drain', res));
      buf = '';
    }
  }
  child.stdin.end(buf);
  await done;
}

/** Runs `one(stream, streams)` for every stream at once; returns seconds. */
async function timed(streams: number, one: (stream: number, streams: number) => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: streams }, (_, w) => one(w, streams)));
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

const loadavg = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const fmt = (rate: number): string => Math.round(rate).toLocaleString('en');

async function main(): Promise<void> {
  const db = await createTestDatabase();
  const pool = new Pool({ connectionString: db.url, max: WRITERS + 1 });
  try {
    const tenantIds: string[] = [];
    for (let i = 0; i < TENANTS; i++) {
      tenantIds.push((await pool.query<{ id: string }>(`INSERT INTO tenants (id, display_name, updated_at) VALUES (gen_random_uuid(), $1, now()) RETURNING id`, [`T${i}`])).rows[0]!.id);
    }
    await new AuditPartitions(pool).ensure(new Date(START), 4);
    if (process.argv.includes('--no-search-index')) await pool.query('DROP INDEX audit_events_search_idx');
    await pool.query('CREATE TABLE audit_copy (LIKE audit_events INCLUDING DEFAULTS INCLUDING INDEXES)');
    // The same without the GIN search index (tenant, actor, item-name trigrams): what it costs ingestion (docs/audit.md).
    await pool.query('CREATE TABLE audit_copy_no_trgm (LIKE audit_events INCLUDING DEFAULTS INCLUDING INDEXES)');
    const gin = await pool.query<{ name: string }>(`SELECT indexname AS name FROM pg_indexes WHERE tablename = 'audit_copy_no_trgm' AND indexdef LIKE '%USING gin%'`);
    for (const g of gin.rows) await pool.query(`DROP INDEX "${g.name}"`);
    const loadBefore = loadavg();
    console.log(`audit ingestion benchmark: ${ROWS.toLocaleString('en')} events, ${TENANTS} tenants, 1 and ${WRITERS} stream(s) split by ${SPLIT}, batches of ${AUDIT_BATCH_SIZE}; load average before: ${loadBefore}`);

    // Product path: the streaming writer. Each figure runs into empty tables (TRUNCATE between runs), so single-stream
    // and parallel runs maintain indexes of the same size.
    let written = 0;
    const writeRange = async (stream: number, streams: number): Promise<void> => {
      const r = await new AuditWriter(pool).writeStream(rows(tenantIds, 0, ROWS, stream, streams));
      written += r.written;
    };
    const writer1S = await timed(1, writeRange);
    if (written !== ROWS) throw new Error(`single writer wrote ${written} rows, expected ${ROWS}`);
    await pool.query('TRUNCATE audit_events');
    written = 0;
    const writerS = await timed(WRITERS, writeRange);
    if (written !== ROWS) throw new Error(`writers wrote ${written} rows, expected ${ROWS}`);

    // Idempotency check at scale: a second pass over the first 100,000 rows writes nothing.
    const again = await new AuditWriter(pool).writeStream(rows(tenantIds, 0, Math.min(ROWS, 100_000)));
    if (again.written !== 0) throw new Error(`re-run wrote ${again.written} rows`);

    const copy = (table: string) => (stream: number, streams: number) => copyStream(db.url, table, tenantIds, stream, streams);
    const copy1S = await timed(1, copy('audit_copy'));
    await pool.query('TRUNCATE audit_copy');
    const copyS = await timed(WRITERS, copy('audit_copy'));
    const noTrgmS = await timed(WRITERS, copy('audit_copy_no_trgm'));
    const loadAfter = loadavg();

    const rate = (s: number): number => ROWS / s;
    const [writer1Rate, writerRate, copy1Rate, copyRate] = [rate(writer1S), rate(writerS), rate(copy1S), rate(copyS)];
    const line = (label: string, s: number, ref: string): void => console.log(`${label.padEnd(58)} ${s.toFixed(2).padStart(6)} s  ${fmt(rate(s)).padStart(7)} events/s${ref}`);
    line('product writer, 1 stream (unnest + ON CONFLICT, partitioned)', writer1S, `  ratio to COPY 1 stream: ${(writer1Rate / copy1Rate).toFixed(2)}`);
    line('plain COPY, 1 stream (psql, same rows, same indexes)', copy1S, '');
    line(`product writer, ${WRITERS} streams`, writerS, `  ratio to COPY ${WRITERS} streams: ${(writerRate / copyRate).toFixed(2)}`);
    line(`plain COPY, ${WRITERS} streams`, copyS, '');
    line(`plain COPY, ${WRITERS} streams, without the GIN search index`, noTrgmS, `  (the search index costs ${Math.round((1 - noTrgmS / copyS) * 100)} % of COPY time)`);
    console.log(`parallel speed-up (${WRITERS} streams / 1): writer ${(writer1S / writerS).toFixed(2)}×, COPY ${(copy1S / copyS).toFixed(2)}×`);
    console.log(`load average before: ${loadBefore}; after: ${loadAfter} (2 vCPUs shared with other engineers' work)`);
    console.log(`target ≥ 50,000 events/s sustained (${WRITERS} streams): ${writerRate >= 50_000 ? 'met' : 'NOT met'}   target ≥ 0.5× COPY (same parallelism): ${writerRate >= 0.5 * copyRate ? 'met' : 'NOT met'}`);
    // Machine-readable last line, parsed by `npm run bench` (scenario 4): keep its name and fields stable.
    // writerRate/copyRate: WRITERS streams each; writer1Rate/copy1Rate: one stream each.
    console.log(`AUDIT_INGEST_RESULT ${JSON.stringify({ rows: ROWS, writers: WRITERS, writerS, copyS, writerRate, copyRate, writer1Rate, copy1Rate, split: SPLIT, copyNoTrgmRate: rate(noTrgmS), loadBefore, loadAfter })}`);
  } finally {
    await pool.end();
    await db.drop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

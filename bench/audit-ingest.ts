/**
 * Audit ingestion benchmark (issue 7): N synthetic audit events through the product's writer (batched, idempotent
 * `INSERT ... SELECT FROM unnest(...) ON CONFLICT` into the partitioned audit_events table), then a plain COPY of
 * the same rows (psql, CSV over stdin) into an unpartitioned copy of the table with the same indexes. Prints both
 * rates and the ratio. Runs against a throw-away database. Target: ≥ 50,000 events/s sustained.
 *
 *   npm run bench:audit-ingest [-- rows [writers]]
 */
import { spawn } from 'node:child_process';
import { Pool } from 'pg';
import { AuditEventInput, AuditPartitions, AuditWriter, AUDIT_BATCH_SIZE } from '@app/audit';
import { createTestDatabase } from '@app/testing';

const [ROWS = 1_000_000, WRITERS = 4] = process.argv.slice(2).map(Number);
const TENANTS = 50;
const START = Date.UTC(2026, 6, 1);
const SPAN_MS = 90 * 86_400_000;

function* rows(tenantIds: string[], from: number, to: number): Generator<AuditEventInput> {
  for (let i = from; i < to; i++) {
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

async function copyRows(url: string, table: string, tenantIds: string[]): Promise<number> {
  const t0 = process.hrtime.bigint();
  const child = spawn('psql', [url, '-q', '-v', 'ON_ERROR_STOP=1', '-c', `COPY ${table} (tenant_id, source, external_id, occurred_at, actor, action, item_type, item_name, result, version, details) FROM STDIN WITH (FORMAT csv)`], {
    stdio: ['pipe', 'inherit', 'inherit'],
  });
  const done = new Promise<void>((res, rej) => child.on('exit', (c) => (c === 0 ? res() : rej(new Error(`psql exited ${c}`)))));
  let buf = '';
  for (const r of rows(tenantIds, 0, ROWS)) {
    buf += `${r.tenantId},${r.source},${r.externalId},${r.occurredAt.toISOString()},${csv(r.actor)},${r.action},${csv(r.itemType)},${csv(r.itemName)},${csv(r.result)},${r.version},${csv(JSON.stringify(r.details))}\n`;
    if (buf.length > 1 << 20) {
      if (!child.stdin.write(buf)) await new Promise((res) => child.stdin.once('drain', res));
      buf = '';
    }
  }
  child.stdin.end(buf);
  await done;
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function main(): Promise<void> {
  const db = await createTestDatabase();
  const pool = new Pool({ connectionString: db.url, max: WRITERS + 1 });
  try {
    const tenantIds: string[] = [];
    for (let i = 0; i < TENANTS; i++) {
      tenantIds.push((await pool.query<{ id: string }>(`INSERT INTO tenants (id, display_name, updated_at) VALUES (gen_random_uuid(), $1, now()) RETURNING id`, [`T${i}`])).rows[0]!.id);
    }
    await new AuditPartitions(pool).ensure(new Date(START), 4);
    await pool.query('CREATE TABLE audit_copy (LIKE audit_events INCLUDING DEFAULTS INCLUDING INDEXES)');
    console.log(`audit ingestion benchmark: ${ROWS.toLocaleString('en')} events, ${TENANTS} tenants, ${WRITERS} writer(s), batches of ${AUDIT_BATCH_SIZE}`);

    // Product path: the streaming writer, the rows split into WRITERS contiguous ranges written concurrently.
    const t0 = process.hrtime.bigint();
    const per = Math.ceil(ROWS / WRITERS);
    const results = await Promise.all(
      Array.from({ length: WRITERS }, (_, w) => new AuditWriter(pool).writeStream(rows(tenantIds, w * per, Math.min(ROWS, (w + 1) * per)))),
    );
    const writerS = Number(process.hrtime.bigint() - t0) / 1e9;
    const written = results.reduce((n, r) => n + r.written, 0);
    if (written !== ROWS) throw new Error(`writer wrote ${written} rows, expected ${ROWS}`);

    // Idempotency check at scale: a second pass over the first 100,000 rows writes nothing.
    const again = await new AuditWriter(pool).writeStream(rows(tenantIds, 0, Math.min(ROWS, 100_000)));
    if (again.written !== 0) throw new Error(`re-run wrote ${again.written} rows`);

    const copyS = await copyRows(db.url, 'audit_copy', tenantIds);
    const writerRate = ROWS / writerS;
    const copyRate = ROWS / copyS;
    console.log(`product writer (unnest + ON CONFLICT, partitioned): ${writerS.toFixed(2)} s  ${Math.round(writerRate).toLocaleString('en')} events/s`);
    console.log(`plain COPY (psql, same rows, same indexes):          ${copyS.toFixed(2)} s  ${Math.round(copyRate).toLocaleString('en')} events/s`);
    console.log(`ratio writer/COPY: ${(writerRate / copyRate).toFixed(2)}   target ≥ 50,000 events/s: ${writerRate >= 50_000 ? 'met' : 'NOT met'}`);
  } finally {
    await pool.end();
    await db.drop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

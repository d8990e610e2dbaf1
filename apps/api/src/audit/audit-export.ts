import { ServerResponse } from 'node:http';
import { once } from 'node:events';
import { AuditEventRow } from '@app/audit';
import { AuditEventDto } from './audit-events.dto';

export type ExportFormat = 'csv' | 'ndjson';

/** `Accept: text/csv` or `application/x-ndjson` asks for a full streamed export instead of a JSON page. */
export function exportFormatOf(accept: string | undefined): ExportFormat | undefined {
  const a = (accept ?? '').toLowerCase();
  if (a.includes('application/x-ndjson')) return 'ndjson';
  if (a.includes('text/csv')) return 'csv';
  return undefined;
}

const CSV_COLUMNS = ['id', 'occurredAt', 'tenantId', 'source', 'externalId', 'actor', 'action', 'itemType', 'itemName', 'result', 'details'] as const;

/** RFC 4180 quoting, and a leading quote on values a spreadsheet would run as a formula (CSV injection). */
export function csvField(v: unknown): string {
  let s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvLine = (d: AuditEventDto): string => `${CSV_COLUMNS.map((c) => csvField(d[c])).join(',')}\r\n`;

/**
 * Writes rows as they come from the database (keyset chunks), honouring back-pressure: memory stays bounded for
 * any export size. A client that disconnects stops the query loop.
 */
export async function streamExport(res: ServerResponse, format: ExportFormat, rows: AsyncIterable<AuditEventRow>, headers: Record<string, string>): Promise<void> {
  res.writeHead(200, {
    ...headers,
    'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson',
    ...(format === 'csv' ? { 'content-disposition': 'attachment; filename="audit-events.csv"' } : {}),
    'cache-control': 'no-store',
  });
  if (format === 'csv') res.write(`${CSV_COLUMNS.join(',')}\r\n`);
  let buf = '';
  for await (const r of rows) {
    if (res.destroyed) return;
    const d = AuditEventDto.from(r);
    buf += format === 'csv' ? csvLine(d) : `${JSON.stringify(d)}\n`;
    if (buf.length >= 64 * 1024) {
      const ok = res.write(buf);
      buf = '';
      if (!ok) await once(res, 'drain');
    }
  }
  res.end(buf);
}

import type { FastifyRequest } from 'fastify';

export type Query = Record<string, string | undefined>;

export type Clause =
  | { kind: 'cmp'; field: string; op: 'eq' | 'ne' | 'ge' | 'le' | 'gt' | 'lt'; value: string | boolean | null }
  | { kind: 'startswith'; field: string; value: string }
  | { kind: 'anyTargetId'; value: string };

const CMP = /^([A-Za-z][\w/]*)\s+(eq|ne|ge|le|gt|lt)\s+('(?:[^']|'')*'|true|false|null|[\d\-:.TZ]+)$/i;
const STARTS = /^startswith\(\s*([A-Za-z]\w*)\s*,\s*'((?:[^']|'')*)'\s*\)$/i;
const ANY_TARGET = /^targetResources\/any\(\s*(\w+)\s*:\s*\1\/id\s+eq\s+'([^']*)'\s*\)$/i;

/** The `$filter` subset Graph supports on the objects we simulate; undefined means "unsupported query" (400). */
export function parseFilter(filter: string | undefined): Clause[] | undefined {
  if (!filter || !filter.trim()) return [];
  const clauses: Clause[] = [];
  for (const raw of filter.split(/\s+and\s+/i)) {
    const part = raw.trim().replace(/^\((.*)\)$/, '$1').trim();
    const any = ANY_TARGET.exec(part);
    if (any) {
      clauses.push({ kind: 'anyTargetId', value: any[2]! });
      continue;
    }
    const sw = STARTS.exec(part);
    if (sw) {
      clauses.push({ kind: 'startswith', field: sw[1]!, value: sw[2]!.replace(/''/g, "'") });
      continue;
    }
    const m = CMP.exec(part);
    if (!m) return undefined;
    const lit = m[3]!;
    const value = lit.startsWith("'") ? lit.slice(1, -1).replace(/''/g, "'") : lit === 'true' ? true : lit === 'false' ? false : lit === 'null' ? null : lit;
    clauses.push({ kind: 'cmp', field: m[1]!, op: m[2]!.toLowerCase() as 'eq', value });
  }
  return clauses;
}

function compare(actual: unknown, op: Extract<Clause, { kind: 'cmp' }>['op'], expected: string | boolean | null): boolean {
  const a = typeof actual === 'string' ? actual.toLowerCase() : actual ?? null;
  const e = typeof expected === 'string' ? expected.toLowerCase() : expected;
  switch (op) {
    case 'eq':
      return a === e;
    case 'ne':
      return a !== e;
    case 'ge':
      return String(a) >= String(e);
    case 'le':
      return String(a) <= String(e);
    case 'gt':
      return String(a) > String(e);
    case 'lt':
      return String(a) < String(e);
  }
}

export function matches(obj: object, clauses: Clause[]): boolean {
  const rec = obj as Record<string, unknown>;
  return clauses.every((c) => {
    switch (c.kind) {
      case 'cmp':
        return compare(rec[c.field], c.op, c.value);
      case 'startswith':
        return String(rec[c.field] ?? '').toLowerCase().startsWith(c.value.toLowerCase());
      case 'anyTargetId': {
        const targets = rec['targetResources'];
        return Array.isArray(targets) && targets.some((t: { id?: string }) => t.id === c.value);
      }
    }
  });
}

export function select<T extends object>(obj: T, $select: string | undefined): Partial<T> {
  if (!$select) return obj;
  const keys = new Set(['id', ...$select.split(',').map((s) => s.trim())]);
  return Object.fromEntries(Object.entries(obj).filter(([k]) => keys.has(k))) as Partial<T>;
}

export interface Page<T> {
  '@odata.context': string;
  value: T[];
  '@odata.nextLink'?: string;
}

/**
 * One page of a list, with an absolute https `@odata.nextLink` on the host the client called (the Graph client
 * follows only absolute https links on its own host, contract §1).
 */
export function page<T extends object>(req: FastifyRequest, entity: string, items: T[], defaultTop = 100, maxTop = 999): Page<Partial<T>> {
  const q = req.query as Query;
  const top = Math.min(maxTop, Math.max(1, Number(q['$top'] ?? defaultTop) || defaultTop));
  const skip = q['$skiptoken'] ? Number(Buffer.from(q['$skiptoken'], 'base64url').toString('utf8')) || 0 : 0;
  const slice = items.slice(skip, skip + top).map((i) => select(i, q['$select']));
  const result: Page<Partial<T>> = { '@odata.context': `https://graph.microsoft.com/v1.0/$metadata#${entity}`, value: slice };
  if (skip + top < items.length) {
    const url = new URL(`https://${req.host}${req.url}`);
    url.searchParams.set('$skiptoken', Buffer.from(String(skip + top)).toString('base64url'));
    result['@odata.nextLink'] = url.toString();
  }
  return result;
}

import { invalid } from './rest-error';

export type Query = Record<string, string | undefined>;

export interface PageRequest {
  offset: number;
  limit: number;
}

const DEFAULT_LIMIT = 30;
const MAX_LIMIT = 10_000;

function int(query: Query, name: string, fallback: number): number {
  const raw = query[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw)) throw invalid(`The value '${raw}' is not valid for ${name}.`);
  return Number(raw);
}

/** offset default 0, limit default 30, max 10,000 (vb365.md "Conventions"). */
export function pageRequest(query: Query): PageRequest {
  const offset = int(query, 'offset', 0);
  const limit = int(query, 'limit', DEFAULT_LIMIT);
  if (offset < 0) throw invalid('Offset must be a non-negative number.');
  if (limit < 1 || limit > MAX_LIMIT) throw invalid(`Limit must be between 1 and ${MAX_LIMIT}.`);
  return { offset, limit };
}

export function bool(query: Query, name: string): boolean | undefined {
  const raw = query[name];
  if (raw === undefined || raw === '') return undefined;
  if (raw.toLowerCase() === 'true') return true;
  if (raw.toLowerCase() === 'false') return false;
  throw invalid(`The value '${raw}' is not valid for ${name}.`);
}

export function oneOf<T extends string>(query: Query, name: string, allowed: readonly T[]): T | undefined {
  const raw = query[name];
  if (raw === undefined || raw === '') return undefined;
  const hit = allowed.find((a) => a.toLowerCase() === raw.toLowerCase());
  if (!hit) throw invalid(`The value '${raw}' is not valid for ${name}.`);
  return hit;
}

export function time(query: Query, name: string): number | undefined {
  const raw = query[name];
  if (raw === undefined || raw === '') return undefined;
  const t = Date.parse(raw);
  if (Number.isNaN(t)) throw invalid(`The value '${raw}' is not valid for ${name}.`);
  return t;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: string): boolean => UUID.test(s);

/** VB365 name filters accept `*` (any run) and `?` (one character), case-insensitively. */
export function wildcard(pattern: string | undefined): ((value: string) => boolean) | undefined {
  if (pattern === undefined || pattern === '') return undefined;
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  const re = new RegExp(`^${source}$`, 'i');
  return (value) => re.test(value);
}

function href(path: string, params: Record<string, string | number | undefined>): string {
  const qs = Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&');
  return qs ? `${path}?${qs}` : path;
}

/**
 * Builds a page object {offset, limit, setId?, results, _links}. `extra` are the request's other query
 * parameters, repeated in the links so following `next` keeps the filters.
 */
export function page<T, R>(
  path: string,
  items: readonly T[],
  req: PageRequest,
  render: (item: T) => R,
  extra: Record<string, string | undefined> = {},
  setId?: string,
): { offset: number; limit: number; setId?: string; results: R[]; _links: Record<string, { href: string }> } {
  const { offset, limit } = req;
  const results = items.slice(offset, offset + limit).map(render);
  const base = { ...extra, setId };
  const links: Record<string, { href: string }> = {
    self: { href: href(path, { ...base, offset, limit }) },
    first: { href: href(path, { ...base, offset: 0, limit }) },
  };
  if (offset > 0) links.prev = { href: href(path, { ...base, offset: Math.max(0, offset - limit), limit }) };
  if (offset + limit < items.length) links.next = { href: href(path, { ...base, offset: offset + limit, limit }) };
  return { offset, limit, ...(setId ? { setId } : {}), results, _links: links };
}

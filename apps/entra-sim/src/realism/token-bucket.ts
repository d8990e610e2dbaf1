import type { SizeClass } from '../directory/directory.types';
import type { TokenBucketSettings } from './entra-faults';

/** Documented identity-and-access limits per app+tenant (contract §6). */
const RU_PER_10S: Record<SizeClass, number> = { small: 3500, medium: 5000, large: 8000 };
const WRITES_PER_150S = 3000;
const AUDIT_REQUESTS_PER_10S = 5;

interface Bucket {
  tokens: number;
  refilledAt: number;
  writes: number[];
  audits: number[];
}

export interface RequestCost {
  ru: number;
  write: boolean;
  audit: boolean;
}

/**
 * Resource-unit cost of a Graph request (contract §6): grants/assignments/users GETs cost 2, other GETs 1,
 * writes 1 RU + 1 write; $select −1 and $top < 20 −1, minimum 1.
 */
export function costOf(method: string, path: string, query: Record<string, string>): RequestCost {
  const audit = path.includes('/auditLogs/');
  if (method !== 'GET') return { ru: 1, write: true, audit };
  let ru = /oauth2PermissionGrants|appRoleAssign|\/users/.test(path) ? 2 : 1;
  if (query['$select']) ru -= 1;
  const top = Number(query['$top']);
  if (query['$top'] && top < 20) ru -= 1;
  return { ru: Math.max(1, ru), write: false, audit };
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  clear(): void {
    this.buckets.clear();
  }

  /** Takes the cost from the app+tenant bucket; returns the seconds to wait when over a limit. */
  take(key: string, sizeClass: SizeClass, cost: RequestCost, s: TokenBucketSettings, now = Date.now()): number | undefined {
    const capacity = s.ruPer10s ?? RU_PER_10S[sizeClass];
    const writeLimit = s.writesPer150s ?? WRITES_PER_150S;
    const auditLimit = s.auditRequestsPer10s ?? AUDIT_REQUESTS_PER_10S;
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: capacity, refilledAt: now, writes: [], audits: [] };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(capacity, b.tokens + ((now - b.refilledAt) / 10_000) * capacity);
    b.refilledAt = now;
    b.writes = b.writes.filter((t) => now - t < 150_000);
    b.audits = b.audits.filter((t) => now - t < 10_000);
    if (cost.audit && b.audits.length >= auditLimit) return Math.ceil((10_000 - (now - b.audits[0]!)) / 1000);
    if (cost.write && b.writes.length >= writeLimit) return Math.ceil((150_000 - (now - b.writes[0]!)) / 1000);
    if (b.tokens < cost.ru) return Math.max(1, Math.ceil(((cost.ru - b.tokens) / capacity) * 10));
    b.tokens -= cost.ru;
    if (cost.write) b.writes.push(now);
    if (cost.audit) b.audits.push(now);
    return undefined;
  }
}

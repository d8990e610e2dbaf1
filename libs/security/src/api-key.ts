import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const API_SCOPES = ['tenants:read', 'tenants:write', 'runs:write', 'audit:read', 'admin'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export function isApiScope(s: string): s is ApiScope {
  return (API_SCOPES as readonly string[]).includes(s);
}

/** `admin` implies every other scope. */
export function hasScope(granted: readonly string[], needed: ApiScope): boolean {
  return granted.includes('admin') || granted.includes(needed);
}

export interface GeneratedApiKey {
  /** The full key, shown once to its owner: `ok_<prefix>_<secret>`. */
  key: string;
  /** Public lookup handle stored in clear. */
  prefix: string;
  /** SHA-256 of the secret part. Keys carry 256 bits of randomness, so a fast hash is enough (no brute force). */
  secretHash: string;
}

const KEY_RE = /^ok_([a-f0-9]{8})_([A-Za-z0-9_-]{43})$/;

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function generateApiKey(): GeneratedApiKey {
  const prefix = randomBytes(4).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { key: `ok_${prefix}_${secret}`, prefix: `ok_${prefix}`, secretHash: hashSecret(secret) };
}

/** Splits a presented key; undefined when it is not of our format (no database lookup for garbage). */
export function parseApiKey(presented: string): { prefix: string; secret: string } | undefined {
  const m = KEY_RE.exec(presented.trim());
  return m ? { prefix: `ok_${m[1]}`, secret: m[2]! } : undefined;
}

/** Constant-time comparison of a presented secret with the stored hash. */
export function verifySecret(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The admin-consent `state`: `v1.<nonce>.<expiresAtSeconds>.<hmac>`, HMAC-SHA256 over everything before the last
 * dot. Entra hands `state` back verbatim on the redirect (contract entra-graph.md §3), so the callback can tell a
 * link we issued (signature), whether it is still valid (expiry) and which ConsentState row it is (nonce; the row
 * names the tenant and records single use). Only the nonce is looked up in Postgres, and only after the
 * signature checked out, so unauthenticated input can neither burn a real link nor probe the table.
 */
export interface ConsentStatePayload {
  nonce: string;
  expiresAt: Date;
}

export type ConsentStateCheck =
  { ok: true; payload: ConsentStatePayload } | { ok: false; reason: 'malformed' | 'bad_signature' };

const VERSION = 'v1';
const NONCE_BYTES = 18;
const B64URL = /^[A-Za-z0-9_-]+$/;

export function newConsentNonce(): string {
  return randomBytes(NONCE_BYTES).toString('base64url');
}

function mac(secret: string, signed: string): Buffer {
  return createHmac('sha256', secret).update(signed).digest();
}

export function signConsentState(secret: string, payload: ConsentStatePayload): string {
  const signed = `${VERSION}.${payload.nonce}.${Math.floor(payload.expiresAt.getTime() / 1000)}`;
  return `${signed}.${mac(secret, signed).toString('base64url')}`;
}

/** Checks shape and signature (constant-time); expiry and single use are the caller's (they need the row). */
export function verifyConsentState(secret: string, state: string): ConsentStateCheck {
  if (state.length > 200) return { ok: false, reason: 'malformed' };
  const parts = state.split('.');
  if (parts.length !== 4) return { ok: false, reason: 'malformed' };
  const [version, nonce, exp, sig] = parts as [string, string, string, string];
  if (version !== VERSION || !B64URL.test(nonce) || !/^\d{1,12}$/.test(exp) || !B64URL.test(sig)) {
    return { ok: false, reason: 'malformed' };
  }
  const expected = mac(secret, `${version}.${nonce}.${exp}`);
  const given = Buffer.from(sig, 'base64url');
  // timingSafeEqual needs equal lengths; the length of a MAC is public, so checking it first leaks nothing.
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'bad_signature' };
  return { ok: true, payload: { nonce, expiresAt: new Date(Number(exp) * 1000) } };
}

/**
 * verifyConsentState against the active keys (the stored `consent.state-key`, current first, and during a rotation
 * the previous one): a link signed before `secrets:set` rotated the key stays valid until the previous key is
 * retired. Every key is tried, so the time taken does not depend on which one matched.
 */
export function verifyConsentStateWithKeys(keys: readonly string[], state: string): ConsentStateCheck {
  const checks = keys.map((key) => verifyConsentState(key, state));
  return checks.find((c) => c.ok) ?? checks[0] ?? { ok: false, reason: 'bad_signature' };
}

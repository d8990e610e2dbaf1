import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): `webhook-signature` carries one or more
 * space-separated `v1,<base64 HMAC-SHA256>` values over `<webhook-id>.<webhook-timestamp>.<raw body>`, keyed
 * with the bytes of a `whsec_<base64>` secret. Used for both inbound (verify) and outbound (sign) webhooks.
 */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';
/** Timestamps further than this from our clock are refused (replay protection). */
export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

export interface WebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** A new secret: 32 random bytes, in the `whsec_` form receivers expect. */
export function generateWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + randomBytes(32).toString('base64');
}

function keyBytes(secret: string): Buffer {
  return secret.startsWith(WEBHOOK_SECRET_PREFIX)
    ? Buffer.from(secret.slice(WEBHOOK_SECRET_PREFIX.length), 'base64')
    : Buffer.from(secret, 'utf8');
}

function hmac(secret: string, id: string, timestamp: string, body: Buffer | string): Buffer {
  return createHmac('sha256', keyBytes(secret)).update(`${id}.${timestamp}.`).update(body).digest();
}

export function signWebhook(secret: string, id: string, timestampSeconds: number, body: Buffer | string): WebhookHeaders {
  const timestamp = String(timestampSeconds);
  return {
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${hmac(secret, id, timestamp, body).toString('base64')}`,
  };
}

export type WebhookVerification =
  | { ok: true }
  | { ok: false; reason: 'missing_headers' | 'bad_timestamp' | 'timestamp_out_of_tolerance' | 'bad_signature' };

/**
 * Checks a delivery against every active secret (two during a rotation). Every candidate signature is compared
 * in constant time; the answer never says which secret or which signature almost matched.
 */
export function verifyWebhook(
  secrets: readonly string[],
  headers: Partial<Record<keyof WebhookHeaders, string | undefined>>,
  body: Buffer | string,
  nowSeconds: number,
  toleranceSeconds = WEBHOOK_TOLERANCE_SECONDS,
): WebhookVerification {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signature = headers['webhook-signature'];
  if (!id || !timestamp || !signature) return { ok: false, reason: 'missing_headers' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'bad_timestamp' };
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) return { ok: false, reason: 'timestamp_out_of_tolerance' };
  const presented = signature
    .split(' ')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('v1,'))
    .map((s) => Buffer.from(s.slice(3), 'base64'));
  let match = false;
  for (const secret of secrets) {
    const expected = hmac(secret, id, timestamp, body);
    for (const p of presented) {
      // No early exit: the time taken does not depend on which secret or signature matched.
      if (p.length === expected.length && timingSafeEqual(p, expected)) match = true;
    }
  }
  return match ? { ok: true } : { ok: false, reason: 'bad_signature' };
}

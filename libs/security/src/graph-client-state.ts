import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * `clientState` for Graph change-notification subscriptions (contracts/entra-graph.md §7): `<tenantId>.<HMAC>`,
 * so a notification names the product tenant it is about and proves it came through a subscription we created,
 * without a per-subscription secret to store. At most 128 characters (Graph's limit): 36 + 1 + 43.
 */
export function graphClientState(key: Buffer, tenantId: string): string {
  return `${tenantId}.${createHmac('sha256', key).update(`graph-client-state:${tenantId}`).digest('base64url')}`;
}

/** The tenant id a clientState vouches for, checked in constant time; undefined when forged or malformed. */
export function verifyGraphClientState(key: Buffer, clientState: unknown): string | undefined {
  if (typeof clientState !== 'string' || clientState.length > 128) return undefined;
  const dot = clientState.indexOf('.');
  if (dot < 1) return undefined;
  const tenantId = clientState.slice(0, dot);
  const expected = Buffer.from(graphClientState(key, tenantId));
  const presented = Buffer.from(clientState);
  return expected.length === presented.length && timingSafeEqual(expected, presented) ? tenantId : undefined;
}

import { OutboxEvent } from '@app/db';

/** Retries stop (delivery failed) 24 hours after the event; a subscription failing that long is disabled. */
export const GIVE_UP_AFTER_MS = 24 * 3600_000;
/** A claimed delivery is re-claimable after this long if its worker died mid-attempt (request timeout is 10 s). */
export const DELIVERY_LEASE_MS = 60_000;

const FIRST_RETRY_MS = 30_000;
const MAX_RETRY_MS = 3600_000;

/**
 * Delay before the next attempt after `attempts` failed ones: 30 s, 1 min, 2 min … capped at 1 hour, with ±20 %
 * jitter so a receiver that comes back is not hit by every retry at once. Over 24 hours that is ~30 attempts.
 */
export function backoffAfter(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1), MAX_RETRY_MS);
  return Math.round(base * (0.8 + 0.4 * random()));
}

/** The JSON body receivers get (Standard Webhooks shape: type, timestamp, data). */
export function webhookBody(e: OutboxEvent): { id: string; type: string; timestamp: string; data: Record<string, unknown> } {
  return {
    id: e.id,
    type: e.type,
    timestamp: e.createdAt.toISOString(),
    data: {
      ...(e.data as Record<string, unknown>),
      tenantId: e.tenantId,
      runId: e.runId,
      correlationId: e.correlationId,
    },
  };
}

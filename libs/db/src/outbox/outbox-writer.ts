import { Prisma } from '../generated/client';

/**
 * The transactional outbox (issue 8). Any state change that must be announced to the MSP portal writes its
 * event with `addOutboxEvent(tx, …)` INSIDE the transaction that makes the change: the event exists exactly when
 * the change committed, so nothing is lost when Redis, the worker or the receiver is down. The webhook
 * dispatcher (worker) fans each row out to the matching subscriptions and delivers it at least once.
 *
 * For other features (drift detection, issue 7): call `addOutboxEvent(tx, { type: 'tenant.drift_detected', … })`
 * in the transaction that records the drift. `data` must be small, JSON and free of secrets: it is sent as is.
 */
export const OUTBOX_EVENT_TYPES = [
  'run.succeeded',
  'run.failed',
  'run.awaiting_consent',
  'tenant.drift_detected',
  'tenant.consent_revoked',
  'tenant.offboarded',
] as const;
export type OutboxEventType = (typeof OUTBOX_EVENT_TYPES)[number];

export function isOutboxEventType(s: string): s is OutboxEventType {
  return (OUTBOX_EVENT_TYPES as readonly string[]).includes(s);
}

export interface OutboxEventInput {
  type: OutboxEventType;
  tenantId: string;
  runId?: string | null;
  correlationId?: string | null;
  /** Event-specific body (tenant display name, run kind, error code and hint, drift summary …). */
  data?: Record<string, unknown>;
}

/** The create input, for callers using Prisma's array form of $transaction. */
export function outboxEventData(e: OutboxEventInput): Prisma.OutboxEventUncheckedCreateInput {
  return {
    type: e.type,
    tenantId: e.tenantId,
    runId: e.runId ?? null,
    correlationId: e.correlationId ?? null,
    data: (e.data ?? {}) as Prisma.InputJsonObject,
  };
}

/** Writes one outbox event in the caller's transaction. */
export async function addOutboxEvent(tx: Prisma.TransactionClient, e: OutboxEventInput): Promise<void> {
  await tx.outboxEvent.create({ data: outboxEventData(e) });
}

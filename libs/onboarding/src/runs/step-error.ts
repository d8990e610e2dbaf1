import { CodedError } from '@app/common';
import { EntraError } from '@app/entra';
import { Vb365Error } from '@app/vb365';

/** A permanent, human-actionable failure raised by a step itself (not by a client). */
export class StepFailure extends CodedError {
  constructor(code: string, message: string, hint: string, details?: Record<string, unknown>) {
    super(code, message, hint, details);
  }
}

export type ErrorDisposition =
  | { kind: 'throttled'; retryAfterMs: number; code: string; message: string }
  | { kind: 'transient'; code: string; message: string }
  | { kind: 'consent-missing'; code: string; message: string; hint: string }
  | { kind: 'permanent'; code: string; message: string; hint: string };

const DEFAULT_THROTTLE_WAIT_MS = 60_000;

/**
 * Decides what the engine does with an error, from the clients' codes alone (DESIGN.md): THROTTLED waits exactly
 * Retry-After without consuming an attempt; TRANSIENT retries with backoff and jitter; CONSENT_MISSING parks the
 * run; everything else fails the step with a code and a hint a human can act on.
 */
export function classifyStepError(e: unknown): ErrorDisposition {
  if (e instanceof EntraError || e instanceof Vb365Error) {
    const source = e instanceof EntraError ? 'ENTRA' : 'VB365';
    const code = `${source}_${e.code}`;
    if (e.code === 'THROTTLED') {
      return { kind: 'throttled', retryAfterMs: e.retryAfterMs ?? DEFAULT_THROTTLE_WAIT_MS, code, message: e.message };
    }
    if (e.code === 'TRANSIENT') {
      // A 503 that carries Retry-After is honoured like throttling: never undercut the server.
      if (e.retryAfterMs) return { kind: 'throttled', retryAfterMs: e.retryAfterMs, code, message: e.message };
      return { kind: 'transient', code, message: e.message };
    }
    if (e instanceof EntraError && e.code === 'CONSENT_MISSING') {
      return { kind: 'consent-missing', code, message: e.message, hint: e.hint ?? '' };
    }
    return { kind: 'permanent', code, message: e.message, hint: e.hint ?? 'See the error message.' };
  }
  if (e instanceof CodedError) {
    return { kind: 'permanent', code: e.code, message: e.message, hint: e.hint ?? 'See the error message.' };
  }
  const message = e instanceof Error ? e.message : String(e);
  const infra = infrastructureOutage(e);
  if (infra) return { kind: 'transient', code: infra, message };
  return { kind: 'permanent', code: 'INTERNAL', message, hint: 'An unexpected error; the worker logs have the details (search by run id).' };
}

/** Prisma codes for a database that is down, restarting, overloaded or in a write conflict: retry, never fail. */
const PRISMA_TRANSIENT = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028', 'P2034']);
/** Driver adapter error kinds with the same meaning (Prisma on @prisma/adapter-pg). */
const ADAPTER_TRANSIENT = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections', 'TransactionWriteConflict', 'TransactionAlreadyClosed']);
/** SQLSTATE classes/codes: connection exception (08), serialization failure, deadlock, shutdown, cannot connect now. */
const SQLSTATE_TRANSIENT = /^(08...|40001|40P01|57P01|57P02|57P03|53300)$/;
const NODE_NET_TRANSIENT = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTCONN']);
/** node-postgres (the audit pool's plain `pg` clients) reports a lost connection by message only, without a code. */
const PG_CONNECTION_LOST = /^(Connection terminated( unexpectedly)?|Client has encountered a connection error and is not queryable|Client was closed and is not queryable)$/;

/**
 * A failure of our own infrastructure (Postgres restarting, a dropped pooled connection, Redis reconnecting) is not
 * the tenant's problem: the step is retried with backoff instead of failing the run for good. Looks through
 * `cause` chains because Prisma and the pg adapter wrap the driver's error. Returns a code for the step record.
 */
export function infrastructureOutage(e: unknown): string | undefined {
  for (let cur: unknown = e, depth = 0; cur && typeof cur === 'object' && depth < 5; cur = (cur as { cause?: unknown }).cause, depth++) {
    const o = cur as { code?: unknown; kind?: unknown; name?: unknown; message?: unknown; originalCode?: unknown };
    const code = typeof o.code === 'string' ? o.code : typeof o.originalCode === 'string' ? o.originalCode : undefined;
    if (code && PRISMA_TRANSIENT.has(code)) return 'DATABASE_UNAVAILABLE';
    if (typeof o.kind === 'string' && ADAPTER_TRANSIENT.has(o.kind)) return 'DATABASE_UNAVAILABLE';
    if (code && SQLSTATE_TRANSIENT.test(code)) return 'DATABASE_UNAVAILABLE';
    if (code && NODE_NET_TRANSIENT.has(code)) return 'INFRASTRUCTURE_UNAVAILABLE';
    if (o.name === 'PrismaClientInitializationError') return 'DATABASE_UNAVAILABLE';
    if (typeof o.message === 'string' && PG_CONNECTION_LOST.test(o.message)) return 'DATABASE_UNAVAILABLE';
    if (o.name === 'MaxRetriesPerRequestError' || (typeof o.message === 'string' && o.message === 'Connection is closed.')) return 'REDIS_UNAVAILABLE';
  }
  return undefined;
}

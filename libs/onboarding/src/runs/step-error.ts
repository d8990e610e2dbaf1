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
  return { kind: 'permanent', code: 'INTERNAL', message, hint: 'An unexpected error; the worker logs have the details (search by run id).' };
}

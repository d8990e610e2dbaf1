import { FaultPlan } from '@app/sim-kit';
import { DirectoryStore } from './directory/directory.store';
import { Tenant } from './directory/directory.types';
import { TokenSigner } from './identity/token-signer';
import { EntraFaultSettings } from './realism/entra-faults';
import { TokenBuckets } from './realism/token-bucket';

/** Everything the simulator's routes share: one per process, reset by POST /_sim/reset. */
export class SimContext {
  readonly faults = new FaultPlan<EntraFaultSettings>();
  readonly store = new DirectoryStore((tenantId) => this.faults.effective(tenantId).replicationLagMs ?? 0);
  readonly signer = new TokenSigner();
  readonly buckets = new TokenBuckets();
  /** When the Retry-After the simulator issued to (tenant, client app) expires, and for which request. */
  private readonly retryAfterUntil = new Map<string, { until: number; issuedAt: number; request: string }>();
  /** The latest Retry-After violations in detail (GET /_sim/stats `retryAfterViolationLog`), for diagnosing them. */
  readonly violationLog: RetryAfterViolation[] = [];

  reset(): void {
    this.store.reset();
    this.faults.clear();
    this.buckets.clear();
    this.retryAfterUntil.clear();
    this.violationLog.length = 0;
  }

  /** `request` names the throttled request ("GET /v1.0/...") for the violation log. */
  noteRetryAfter(t: Tenant, appId: string, seconds: number, request = ''): void {
    const now = Date.now();
    this.retryAfterUntil.set(`${t.id}|${appId.toLowerCase()}`, { until: now + seconds * 1000, issuedAt: now, request });
  }

  /** Counts a Retry-After violation: a request from the same client and tenant before the issued wait passed. */
  checkRetryAfter(t: Tenant, appId: string, request = ''): void {
    const key = `${t.id}|${appId.toLowerCase()}`;
    const issued = this.retryAfterUntil.get(key);
    if (issued === undefined) return;
    const now = Date.now();
    // Timers and clocks are coarse; 50 ms of grace keeps an exact wait from counting as a violation.
    if (now + 50 < issued.until) {
      t.stats.retryAfterViolations += 1;
      this.violationLog.push({
        at: new Date(now).toISOString(),
        tenantId: t.id,
        appId,
        request,
        earlyMs: issued.until - now,
        throttledRequest: issued.request,
        throttledAt: new Date(issued.issuedAt).toISOString(),
      });
      if (this.violationLog.length > VIOLATION_LOG_SIZE) this.violationLog.shift();
    } else this.retryAfterUntil.delete(key);
  }
}

const VIOLATION_LOG_SIZE = 100;

export interface RetryAfterViolation {
  at: string;
  tenantId: string;
  appId: string;
  /** The request that came too early. */
  request: string;
  /** How long before the wait ended it came. */
  earlyMs: number;
  /** The request that was answered 429 / 503 with Retry-After, and when. */
  throttledRequest: string;
  throttledAt: string;
}

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
  /** When the Retry-After the simulator issued to (tenant, client app) expires. */
  private readonly retryAfterUntil = new Map<string, number>();

  reset(): void {
    this.store.reset();
    this.faults.clear();
    this.buckets.clear();
    this.retryAfterUntil.clear();
  }

  noteRetryAfter(t: Tenant, appId: string, seconds: number): void {
    this.retryAfterUntil.set(`${t.id}|${appId.toLowerCase()}`, Date.now() + seconds * 1000);
  }

  /** Counts a Retry-After violation: a request from the same client and tenant before the issued wait passed. */
  checkRetryAfter(t: Tenant, appId: string): void {
    const key = `${t.id}|${appId.toLowerCase()}`;
    const until = this.retryAfterUntil.get(key);
    if (until === undefined) return;
    // Timers and clocks are coarse; 50 ms of grace keeps an exact wait from counting as a violation.
    if (Date.now() + 50 < until) t.stats.retryAfterViolations += 1;
    else this.retryAfterUntil.delete(key);
  }
}

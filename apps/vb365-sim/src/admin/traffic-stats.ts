interface Counter {
  requests: number;
  writes: number;
}

/**
 * What /_sim/stats reports: requests and writes per organization and kind (the route, e.g.
 * `POST /v8/RbacRoles/:roleId/operators`), status codes, and the concurrency seen. Tests measure "a re-run
 * makes reads only" and "the cluster-wide cap held" from these numbers.
 */
export class TrafficStats {
  requests = 0;
  writes = 0;
  inFlight = 0;
  peakConcurrent = 0;
  rejectedByCap = 0;
  injectedFaults = 0;
  /** Requests for an organization sent before the Retry-After of an injected 429 for it had passed. */
  retryAfterViolations = 0;
  private violationKinds = new Map<string, number>();
  private byKind = new Map<string, Counter>();
  private byOrganization = new Map<string, { total: Counter; byKind: Map<string, Counter> }>();
  private byStatus = new Map<number, number>();

  reset(): void {
    this.requests = 0;
    this.writes = 0;
    this.peakConcurrent = this.inFlight;
    this.rejectedByCap = 0;
    this.injectedFaults = 0;
    this.retryAfterViolations = 0;
    this.violationKinds.clear();
    this.byKind.clear();
    this.byOrganization.clear();
    this.byStatus.clear();
  }

  /** `what`: the offending request's kind and the kind that was answered 429. */
  retryAfterViolation(what: string): void {
    this.retryAfterViolations += 1;
    this.violationKinds.set(what, (this.violationKinds.get(what) ?? 0) + 1);
  }

  enter(): number {
    this.inFlight += 1;
    if (this.inFlight > this.peakConcurrent) this.peakConcurrent = this.inFlight;
    return this.inFlight;
  }

  leave(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  /** Counts one finished request; a write is a non-GET that succeeded. */
  record(kind: string, organizationId: string | undefined, method: string, status: number): void {
    const write = method !== 'GET' && method !== 'HEAD' && status < 400 && !kind.endsWith('/v8/token') && !kind.endsWith('/v8/token/logout');
    this.requests += 1;
    if (write) this.writes += 1;
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
    bump(this.byKind, kind, write);
    if (organizationId) {
      let org = this.byOrganization.get(organizationId);
      if (!org) this.byOrganization.set(organizationId, (org = { total: { requests: 0, writes: 0 }, byKind: new Map() }));
      org.total.requests += 1;
      if (write) org.total.writes += 1;
      bump(org.byKind, kind, write);
    }
  }

  snapshot(): Record<string, unknown> {
    return {
      requests: this.requests,
      writes: this.writes,
      inFlight: this.inFlight,
      peakConcurrent: this.peakConcurrent,
      rejectedByCap: this.rejectedByCap,
      injectedFaults: this.injectedFaults,
      retryAfterViolations: this.retryAfterViolations,
      retryAfterViolationKinds: Object.fromEntries(this.violationKinds),
      byStatus: Object.fromEntries(this.byStatus),
      byKind: Object.fromEntries(this.byKind),
      byOrganization: Object.fromEntries(
        [...this.byOrganization].map(([id, o]) => [id, { requests: o.total.requests, writes: o.total.writes, byKind: Object.fromEntries(o.byKind) }]),
      ),
    };
  }
}

function bump(map: Map<string, Counter>, kind: string, write: boolean): void {
  let c = map.get(kind);
  if (!c) map.set(kind, (c = { requests: 0, writes: 0 }));
  c.requests += 1;
  if (write) c.writes += 1;
}

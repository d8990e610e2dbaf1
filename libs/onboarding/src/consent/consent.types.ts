/** How a consent callback ended; stored in consent_states.outcome (when a row is consumed) and activity_log. */
export type ConsentOutcome =
  'granted' | 'denied' | 'expired' | 'forged' | 'replayed' | 'tenant_mismatch' | 'invalid' | 'unavailable';

/** What Entra appends to the redirect URI (contract entra-graph.md §3); anything else is ignored. */
export interface ConsentCallbackParams {
  state?: string;
  admin_consent?: string;
  tenant?: string;
  error?: string;
  error_description?: string;
}

/** The browser that brought the callback: all we know of the admin (Entra does not name them in the redirect). */
export interface ConsentCaller {
  ip: string;
  userAgent?: string;
  correlationId: string;
}

export interface ConsentCallbackResult {
  outcome: ConsentOutcome;
  httpStatus: number;
  /** Shown to the admin as is (the page escapes it): never secrets, ids only when they help. */
  title: string;
  message: string;
  tenantDisplayName?: string;
  runId?: string;
}

export interface ConsentLink {
  url: string;
  expiresAt: Date;
}

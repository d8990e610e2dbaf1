import { CodedError } from '@app/common';

export type EntraErrorCode =
  | 'THROTTLED'
  | 'TRANSIENT'
  | 'CONSENT_MISSING'
  | 'TENANT_NOT_FOUND'
  | 'FORBIDDEN'
  | 'CREDENTIAL_INVALID'
  | 'NOT_FOUND'
  | 'PERMANENT';

export interface EntraErrorDetails extends Record<string, unknown> {
  tenantId?: string;
  operation?: string;
  status?: number;
  vendorCode?: string;
  aadsts?: number[];
  /** Set for THROTTLED: how long the job layer must wait (the server's Retry-After, never less). */
  retryAfterMs?: number;
  /** Set for FORBIDDEN: the Graph application permission the operation needs. */
  missingPermission?: string;
}

/** Every failure of the Entra client, classified so the job layer decides retries from `code` alone. */
export class EntraError extends CodedError<EntraErrorCode> {
  constructor(code: EntraErrorCode, message: string, hint: string, readonly info: EntraErrorDetails = {}, options?: { cause?: unknown }) {
    super(code, message, hint, info, options);
  }

  get retryAfterMs(): number | undefined {
    return this.info.retryAfterMs;
  }

  /** Whether the job layer should try again (after retryAfterMs for THROTTLED, with backoff for TRANSIENT). */
  get retryable(): boolean {
    return this.code === 'THROTTLED' || this.code === 'TRANSIENT';
  }
}

export const HINTS: Record<EntraErrorCode, string> = {
  THROTTLED: 'Microsoft Graph throttled this app in this tenant; the job waits the full Retry-After before trying again.',
  TRANSIENT: 'A temporary Entra/Graph failure (5xx, network or directory replication); the job retries with backoff.',
  CONSENT_MISSING: "The tenant's admin has not consented to the orchestrator app (or consent was revoked); send them the admin-consent link.",
  TENANT_NOT_FOUND: 'No Entra tenant with this id or domain exists in this cloud; check the tenant id registered for the customer.',
  FORBIDDEN: 'The orchestrator app lacks a Graph application permission in this tenant; add it to the app and have the admin re-consent.',
  CREDENTIAL_INVALID: "The orchestrator app's certificate or secret was rejected (wrong, expired or not registered on the app); rotate the credential in configuration.",
  NOT_FOUND: 'The Entra object does not exist (it may have been deleted in the tenant).',
  PERMANENT: 'Entra rejected the request; retrying will not help. See the error message for the vendor code.',
};

export const entraError = (code: EntraErrorCode, message: string, info: EntraErrorDetails = {}, cause?: unknown, hint?: string): EntraError =>
  new EntraError(code, message, hint ?? HINTS[code], info, cause === undefined ? undefined : { cause });

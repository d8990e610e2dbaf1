import { RunKind } from '@app/db';

/**
 * The ordered steps of each run kind (DESIGN.md "Runs and steps"). Every step reads the real state first and
 * writes only the difference, so a resync is the onboarding sequence again, and a resumed run is safe.
 * Offboarding reverses steps 5 → 2.
 */
export const STEP_NAMES = [
  'verify-access',
  'ensure-service-principal',
  'ensure-consent-grants',
  'verify-vb365',
  'reconcile-roles',
  'remove-roles',
  'revoke-consent-grants',
  'remove-service-principal',
  'audit-sync',
  'stop-audit-sync',
] as const;

export type StepName = (typeof STEP_NAMES)[number];

export const STEPS_BY_KIND: Record<RunKind, readonly StepName[]> = {
  // Step 6 (issue 7): first audit sync, then the tenant's sync schedule.
  onboard: ['verify-access', 'ensure-service-principal', 'ensure-consent-grants', 'verify-vb365', 'reconcile-roles', 'audit-sync'],
  resync: ['verify-access', 'ensure-service-principal', 'ensure-consent-grants', 'verify-vb365', 'reconcile-roles'],
  // The schedule stops first (even if the tenant's consent is already gone); audit data is kept (retention applies).
  offboard: ['stop-audit-sync', 'verify-access', 'verify-vb365', 'remove-roles', 'revoke-consent-grants', 'remove-service-principal'],
};

/** Statuses during which a run holds its tenant (the `active_tenant_id` column is set). */
export const ACTIVE_RUN_STATUSES = ['queued', 'running', 'awaiting_consent'] as const;

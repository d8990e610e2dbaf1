import { RunKind } from '@app/db';

/**
 * The ordered steps of each run kind (DESIGN.md "Runs and steps"). Every step reads the real state first and
 * writes only the difference, so a resync is the onboarding sequence again, and a resumed run is safe.
 * Offboarding reverses steps 5 → 2. Audit sync and schedules are added by the audit issue.
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
] as const;

export type StepName = (typeof STEP_NAMES)[number];

export const STEPS_BY_KIND: Record<RunKind, readonly StepName[]> = {
  onboard: ['verify-access', 'ensure-service-principal', 'ensure-consent-grants', 'verify-vb365', 'reconcile-roles'],
  resync: ['verify-access', 'ensure-service-principal', 'ensure-consent-grants', 'verify-vb365', 'reconcile-roles'],
  offboard: ['verify-access', 'verify-vb365', 'remove-roles', 'revoke-consent-grants', 'remove-service-principal'],
};

/** Statuses during which a run holds its tenant (the `active_tenant_id` column is set). */
export const ACTIVE_RUN_STATUSES = ['queued', 'running', 'awaiting_consent'] as const;

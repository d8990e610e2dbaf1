import { Injectable } from '@nestjs/common';
import { AuditSyncStep, StopAuditSyncStep } from '../sync/audit-sync.step';
import { StepName } from './step-catalogue';
import { StepHandler } from './step.types';
import { EnsureConsentGrantsStep } from './steps/ensure-consent-grants.step';
import { EnsureServicePrincipalStep } from './steps/ensure-service-principal.step';
import { ReconcileRolesStep, RemoveRolesStep } from './steps/roles.steps';
import { RemoveServicePrincipalStep } from './steps/remove-service-principal.step';
import { RevokeConsentGrantsStep } from './steps/revoke-consent-grants.step';
import { VerifyAccessStep } from './steps/verify-access.step';
import { VerifyVb365Step } from './steps/verify-vb365.step';

export const STEP_HANDLERS = [
  VerifyAccessStep,
  EnsureServicePrincipalStep,
  EnsureConsentGrantsStep,
  VerifyVb365Step,
  ReconcileRolesStep,
  RemoveRolesStep,
  RevokeConsentGrantsStep,
  RemoveServicePrincipalStep,
  AuditSyncStep,
  StopAuditSyncStep,
];

/** Step name → implementation; a `Record` so a step added to the catalogue without a handler fails to compile. */
@Injectable()
export class StepRegistry {
  private readonly handlers: Record<StepName, StepHandler>;

  constructor(
    verifyAccess: VerifyAccessStep,
    ensureSp: EnsureServicePrincipalStep,
    ensureGrants: EnsureConsentGrantsStep,
    verifyVb365: VerifyVb365Step,
    reconcileRoles: ReconcileRolesStep,
    removeRoles: RemoveRolesStep,
    revokeGrants: RevokeConsentGrantsStep,
    removeSp: RemoveServicePrincipalStep,
    auditSync: AuditSyncStep,
    stopAuditSync: StopAuditSyncStep,
  ) {
    this.handlers = {
      'verify-access': verifyAccess,
      'ensure-service-principal': ensureSp,
      'ensure-consent-grants': ensureGrants,
      'verify-vb365': verifyVb365,
      'reconcile-roles': reconcileRoles,
      'remove-roles': removeRoles,
      'revoke-consent-grants': revokeGrants,
      'remove-service-principal': removeSp,
      'audit-sync': auditSync,
      'stop-audit-sync': stopAuditSync,
    };
  }

  get(name: StepName): StepHandler {
    return this.handlers[name];
  }
}

import { Change } from '@app/entra';
import { StepChange } from '../step-change';
import { StepFailure } from '../step-error';
import { Tenant } from '@app/db';

export function fromEntraChanges(changes: Change[]): StepChange[] {
  return changes.map((c) => ({ action: c.kind, target: c.target, detail: { applied: c.applied, ...(c.detail ? { detail: c.detail } : {}) } }));
}

export function entraTenantIdOf(tenant: Tenant): string {
  if (!tenant.entraTenantId) {
    throw new StepFailure('TENANT_ID_MISSING', 'The tenant has no Entra tenant id.', 'Register the tenant with its Entra tenant id (GUID) or verified domain.');
  }
  return tenant.entraTenantId;
}

export function restorePortalAppIdOf(appId: string | undefined): string {
  if (!appId) {
    throw new StepFailure('CONFIG_MISSING', 'RESTORE_PORTAL_APP_ID is not configured.', 'Set RESTORE_PORTAL_APP_ID to the Restore Portal app id (the one VB365 reports in RestorePortalSettings).');
  }
  return appId;
}

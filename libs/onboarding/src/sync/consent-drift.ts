import type { ConsentState } from '@app/entra';

export type ConsentProblem = 'ORCHESTRATOR_ACCESS_LOST' | 'SERVICE_PRINCIPAL_MISSING' | 'GRAPH_GRANT_MISSING' | 'SELF_GRANT_MISSING';

export interface ConsentDrift {
  problems: ConsentProblem[];
  servicePrincipalId: string | null;
  graphGrantId: string | null;
  selfGrantId: string | null;
  /** Revoking directory audits seen by this sync (ids), the second signal besides Graph state. */
  auditEvidence: string[];
  checkedAt: string;
}

const hasScope = (scope: string, wanted: string): boolean => scope.split(' ').filter(Boolean).includes(wanted);

/**
 * Consent is intact when the Restore Portal SP exists and both tenant-wide grants are present and sufficient
 * (restore-portal.md: Graph User.Read and the app's own access_as_user, consentType AllPrincipals).
 */
export function evaluateConsent(state: ConsentState, auditEvidence: string[], now = new Date()): ConsentDrift {
  const problems: ConsentProblem[] = [];
  const sp = state.servicePrincipal;
  const allPrincipals = state.grants.filter((g) => g.consentType === 'AllPrincipals');
  const graphGrant = sp ? allPrincipals.find((g) => g.resourceId === state.graphServicePrincipalId && hasScope(g.scope, 'User.Read')) : undefined;
  const selfGrant = sp ? allPrincipals.find((g) => g.resourceId === sp.id && hasScope(g.scope, 'access_as_user')) : undefined;
  if (!sp) problems.push('SERVICE_PRINCIPAL_MISSING');
  else {
    if (!graphGrant) problems.push('GRAPH_GRANT_MISSING');
    if (!selfGrant) problems.push('SELF_GRANT_MISSING');
  }
  return {
    problems,
    servicePrincipalId: sp?.id ?? null,
    graphGrantId: graphGrant?.id ?? null,
    selfGrantId: selfGrant?.id ?? null,
    auditEvidence,
    checkedAt: now.toISOString(),
  };
}

/** What the MSP should send the customer, by problem. */
export function consentHint(problems: readonly ConsentProblem[]): string {
  if (problems.includes('ORCHESTRATOR_ACCESS_LOST')) {
    return "The customer's admin removed the orchestrator's consent: send them the admin-consent link again (POST /v1/tenants/{id}/consent-link), then start a resync.";
  }
  if (problems.includes('SERVICE_PRINCIPAL_MISSING')) {
    return "The Restore Portal app was removed from the customer's tenant: ask the customer's admin to allow re-adding it, then start a resync (or set consentDriftMode=repair to do it automatically).";
  }
  return "The customer's admin removed or narrowed the Restore Portal consent grants: ask them to keep them, then start a resync (or set consentDriftMode=repair to restore them automatically).";
}

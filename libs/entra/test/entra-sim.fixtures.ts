import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@app/common';

/** Test data for entra-sim: small factories, a fresh tenant per test so tests never share state. */
export const certsDir = join(repoRoot(), '.local', 'certs');
export const ORCHESTRATOR_PEM = join(certsDir, 'orchestrator-client.pem');
export const orchestratorCertPem = (): string => readFileSync(join(certsDir, 'orchestrator-client-cert.pem'), 'utf8');

export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
export const ROLE_IDS = {
  'Application.ReadWrite.All': '1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9',
  'Directory.Read.All': '7ab1d382-f21e-4acd-a863-ba3e13f7da61',
  'AuditLog.Read.All': 'b0afded3-3588-46d8-8b3d-9842eff778da',
} as const;

export const ORCHESTRATOR_ROLES = ['Application.ReadWrite.All', 'DelegatedPermissionGrant.ReadWrite.All', 'AppRoleAssignment.ReadWrite.All', 'Directory.Read.All', 'AuditLog.Read.All'];

export interface AppsFixture {
  orchestrator: string;
  restorePortal: string;
  secret: string;
  /** An app with a secret only: the orchestrator certificate is unknown to it. */
  secretOnly: string;
  /** Consented with Directory.Read.All only. */
  readOnly: string;
  redirectUri: string;
}

export function appsFixture(): { apps: AppsFixture; seed: Record<string, unknown> } {
  const apps: AppsFixture = {
    orchestrator: randomUUID(),
    restorePortal: randomUUID(),
    secret: `s3cret-${randomUUID()}`,
    secretOnly: randomUUID(),
    readOnly: randomUUID(),
    redirectUri: 'https://orchestrator.example/consent/callback',
  };
  const seed = {
    apps: [
      { appId: apps.orchestrator, displayName: 'MSP Orchestrator', certificatePem: orchestratorCertPem(), secret: apps.secret, redirectUris: [apps.redirectUri], requiredAppRoles: ORCHESTRATOR_ROLES },
      { appId: apps.restorePortal, displayName: 'VB365 Restore Portal', exposedScopes: [{ value: 'access_as_user' }], requiredDelegatedScopes: ['User.Read'] },
      { appId: apps.secretOnly, displayName: 'Secret-only app', secret: 'other-secret', requiredAppRoles: ORCHESTRATOR_ROLES },
      { appId: apps.readOnly, displayName: 'Read-only app', certificatePem: orchestratorCertPem(), requiredAppRoles: ['Directory.Read.All'] },
    ],
  };
  return { apps, seed };
}

export interface TenantOverrides {
  consent?: 'consents' | 'refuses';
  consentedApps?: string[];
  servicePrincipals?: Array<{ appId: string }>;
  grants?: Array<{ clientAppId: string; resourceAppId: string; scope: string; consentType?: 'AllPrincipals' | 'Principal'; principalId?: string | null }>;
  missingSpError?: 700016 | 7000229;
}

export function tenantSeed(apps: AppsFixture, o: TenantOverrides = {}): { id: string; domain: string; seed: Record<string, unknown> } {
  const id = randomUUID();
  const domain = `t${id.slice(0, 8)}.onmicrosoft.com`;
  return {
    id,
    domain,
    seed: {
      tenants: [
        {
          id,
          domain,
          displayName: `Customer ${id.slice(0, 8)}`,
          consent: o.consent ?? 'consents',
          consentedApps: o.consentedApps ?? [apps.orchestrator, apps.secretOnly, apps.readOnly],
          servicePrincipals: o.servicePrincipals ?? [],
          grants: o.grants ?? [],
          missingSpError: o.missingSpError ?? 700016,
          users: [{ displayName: 'Ada Admin', userPrincipalName: `ada@${domain}` }],
        },
      ],
    },
  };
}

export interface WriteCounters {
  servicePrincipalsCreated: number;
  servicePrincipalsDeleted: number;
  grantsCreated: number;
  grantsUpdated: number;
  grantsDeleted: number;
  appRoleAssignmentsCreated: number;
  appRoleAssignmentsDeleted: number;
}

export interface SimStats {
  tenants: Record<string, { requests: number; writes: WriteCounters; retryAfterViolations: number }>;
}

export interface SimState {
  graphServicePrincipalId: string;
  servicePrincipals: Array<{ id: string; appId: string }>;
  grants: Array<{ id: string; clientId: string; resourceId: string; consentType: string; principalId: string | null; scope: string }>;
  appRoleAssignments: Array<{ id: string; principalId: string; resourceId: string; appRoleId: string }>;
  audits: Array<{ activityDisplayName: string }>;
}

export const totalWrites = (w: WriteCounters | undefined): number => (w ? Object.values(w).reduce((a, b) => a + b, 0) : 0);

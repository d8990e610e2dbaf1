import type { KeyObject } from 'node:crypto';
import type { AppRoleDef, ScopeDef } from './graph-permissions.constants';

export type SizeClass = 'small' | 'medium' | 'large';

export interface RegisteredCertificate {
  /** base64url SHA-1 of the DER (the `x5t` header). */
  x5t: string;
  /** base64url SHA-256 of the DER (the `x5t#S256` header). */
  x5tS256: string;
  publicKey: KeyObject;
}

/** An application registered in the MSP's home tenant (multi-tenant): the orchestrator, the Restore Portal, others. */
export interface SimApp {
  appId: string;
  displayName: string;
  secrets: string[];
  certificates: RegisteredCertificate[];
  redirectUris: string[];
  /** Graph application permissions (role values) granted on admin consent. */
  requiredAppRoles: string[];
  requiredDelegatedScopes: string[];
  exposedScopes: ScopeDef[];
  appRoles: AppRoleDef[];
}

export interface ServicePrincipal {
  id: string;
  appId: string;
  displayName: string;
  appRoles: readonly AppRoleDef[];
  oauth2PermissionScopes: readonly ScopeDef[];
  createdAt: number;
}

export interface PermissionGrant {
  id: string;
  clientId: string;
  consentType: 'AllPrincipals' | 'Principal';
  principalId: string | null;
  resourceId: string;
  scope: string;
  createdAt: number;
}

export interface AppRoleAssignment {
  id: string;
  principalId: string;
  principalDisplayName: string;
  resourceId: string;
  resourceDisplayName: string;
  appRoleId: string;
  createdDateTime: string;
  createdAt: number;
}

export interface DirectoryUser {
  id: string;
  displayName: string;
  userPrincipalName: string;
  mail: string;
  accountEnabled: boolean;
}

export interface DirectoryGroup {
  id: string;
  displayName: string;
  description: string | null;
  mailEnabled: boolean;
  securityEnabled: boolean;
}

export interface DirectoryAudit {
  id: string;
  activityDateTime: string;
  activityDisplayName: string;
  category: 'ApplicationManagement' | 'UserManagement';
  result: 'success';
  loggedByService: 'Core Directory';
  operationType: 'Add' | 'Update' | 'Delete' | 'Assign';
  initiatedBy: { app: { appId: string; displayName: string; servicePrincipalId: string | null } | null; user: null };
  targetResources: Array<{ id: string; displayName: string; type: string }>;
  correlationId: string;
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

export type WriteKind = keyof WriteCounters;

export interface TenantStats {
  requests: number;
  writes: WriteCounters;
  retryAfterViolations: number;
}

export interface Tenant {
  id: string;
  domain: string;
  displayName: string;
  sizeClass: SizeClass;
  refusesConsent: boolean;
  /** When the app has no SP here, which of the two documented token errors Entra answers (contract §2). */
  missingSpError: 700016 | 7000229;
  graphSpId: string;
  servicePrincipals: Map<string, ServicePrincipal>;
  grants: Map<string, PermissionGrant>;
  assignments: Map<string, AppRoleAssignment>;
  users: DirectoryUser[];
  /** Generated users are computed on read (capacity: 10,000 tenants × 100 users stay small). */
  generatedUsers?: { count: number; seed: number };
  groups: DirectoryGroup[];
  audits: DirectoryAudit[];
  stats: TenantStats;
}

export const emptyWrites = (): WriteCounters => ({
  servicePrincipalsCreated: 0,
  servicePrincipalsDeleted: 0,
  grantsCreated: 0,
  grantsUpdated: 0,
  grantsDeleted: 0,
  appRoleAssignmentsCreated: 0,
  appRoleAssignmentsDeleted: 0,
});

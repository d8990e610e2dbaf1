/**
 * The Microsoft Graph service principal as it exists in every tenant. Permission ids are the real, stable ids
 * (contracts/entra-graph.md §4); product code looks them up by value on the tenant's Graph SP, as it must on real Entra.
 */
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
export const GRAPH_RESOURCE = 'https://graph.microsoft.com';

export interface PermissionDef {
  id: string;
  value: string;
}

export interface AppRoleDef extends PermissionDef {
  allowedMemberTypes: ['Application'];
  displayName: string;
  description: string;
  isEnabled: true;
  origin: 'Application';
}

export interface ScopeDef extends PermissionDef {
  type: 'User' | 'Admin';
  adminConsentDisplayName: string;
  adminConsentDescription: string;
  isEnabled: true;
}

const PERMISSIONS: Array<{ value: string; scope?: string; role?: string }> = [
  { value: 'User.Read', scope: 'e1fe6dd8-ba31-4d61-89e7-88639da4683d' },
  { value: 'Application.ReadWrite.All', scope: 'bdfbf15f-ee85-4955-8675-146e8e5296b5', role: '1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9' },
  { value: 'DelegatedPermissionGrant.ReadWrite.All', scope: '41ce6ca6-6826-4807-84f1-1c82854f7ee5', role: '8e8e4742-1d95-4f68-9d56-6ee75648c72a' },
  { value: 'AppRoleAssignment.ReadWrite.All', scope: '84bccea3-f856-4a8a-967b-dbe0a3d53a64', role: '06b708a9-e830-4db3-a914-8e69da51d44f' },
  { value: 'Directory.Read.All', scope: '06da0dbc-49e2-44d2-8312-53f166ab848a', role: '7ab1d382-f21e-4acd-a863-ba3e13f7da61' },
  { value: 'AuditLog.Read.All', scope: 'e4c9e354-4dc5-45b8-9e7c-e1393b0b1a20', role: 'b0afded3-3588-46d8-8b3d-9842eff778da' },
  { value: 'User.Read.All', scope: 'a154be20-db9c-4678-8ab7-66f6cc099a59', role: 'df021288-bdef-4463-88db-98f22de89214' },
  { value: 'Group.Read.All', scope: '5f8c59db-677d-491f-a6b8-5f174b11ec1d', role: '5b567255-7703-4780-807c-7be8301ae99b' },
  // Not in the contract table but named by restore-portal.md as an alternative to Directory.Read.All.
  { value: 'Organization.Read.All', scope: '4908d5b9-3fb2-4b1e-9336-1888b7937185', role: '498476ce-e0fe-48b0-b801-37ba7e2685c6' },
  { value: 'Application.Read.All', scope: 'c79f8feb-a9db-4090-85f9-90d820caa0eb', role: '9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30' },
];

/** Shared by every tenant's Graph SP: 10,000 tenants must not hold 10,000 copies. */
export const GRAPH_APP_ROLES: readonly AppRoleDef[] = PERMISSIONS.filter((p) => p.role).map((p) => ({
  id: p.role!,
  value: p.value,
  allowedMemberTypes: ['Application'],
  displayName: p.value,
  description: p.value,
  isEnabled: true,
  origin: 'Application',
}));

export const GRAPH_SCOPES: readonly ScopeDef[] = PERMISSIONS.filter((p) => p.scope).map((p) => ({
  id: p.scope!,
  value: p.value,
  type: p.value === 'User.Read' ? 'User' : 'Admin',
  adminConsentDisplayName: p.value,
  adminConsentDescription: p.value,
  isEnabled: true,
}));

/** Roles that authorize each kind of Graph operation (any one suffices). */
export const ROUTE_ROLES = {
  readOrganization: ['Organization.Read.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  readServicePrincipals: ['Application.Read.All', 'Application.ReadWrite.All', 'Directory.Read.All'],
  writeServicePrincipals: ['Application.ReadWrite.All'],
  readGrants: ['DelegatedPermissionGrant.ReadWrite.All', 'Directory.Read.All'],
  writeGrants: ['DelegatedPermissionGrant.ReadWrite.All'],
  readAssignments: ['Application.Read.All', 'Application.ReadWrite.All', 'AppRoleAssignment.ReadWrite.All', 'Directory.Read.All'],
  writeAssignments: ['AppRoleAssignment.ReadWrite.All'],
  readUsers: ['User.Read.All', 'Directory.Read.All'],
  readGroups: ['Group.Read.All', 'Directory.Read.All'],
  readAudits: ['AuditLog.Read.All'],
} as const;

export type RouteRoleKey = keyof typeof ROUTE_ROLES;

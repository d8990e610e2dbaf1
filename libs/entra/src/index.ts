export * from './consent.types';
export * from './entra-client';
export * from './entra-client.options';
export * from './entra-error.mapper';
export * from './entra.errors';
export type { AppRoleAssignment, Organization, PermissionGrant, ServicePrincipalRef } from './graph.schemas';
export { unionScopes } from './delegated-grant.ops';
export { directoryAuditSchema } from './directory-audit.ops';
export type { DirectoryAudit, DirectoryAuditWindow } from './directory-audit.ops';

import { randomUUID } from 'node:crypto';
import { generatedUser } from './seed-generator';
import { GRAPH_APP_ID, GRAPH_APP_ROLES, GRAPH_SCOPES } from './graph-permissions.constants';
import {
  AppRoleAssignment,
  DirectoryAudit,
  DirectoryUser,
  PermissionGrant,
  ServicePrincipal,
  SimApp,
  SizeClass,
  Tenant,
  WriteKind,
  emptyWrites,
} from './directory.types';

/** Who performed a write, as it appears in the directory audit's `initiatedBy.app`. */
export interface Actor {
  appId: string;
  displayName: string;
  servicePrincipalId: string | null;
}

export interface NewTenant {
  id: string;
  domain: string;
  displayName: string;
  sizeClass: SizeClass;
  refusesConsent: boolean;
  missingSpError: 700016 | 7000229;
  graphSpId?: string;
}

/**
 * The in-memory multi-tenant directory. Seed-time writes bypass counters and audits (they describe the world
 * before the test starts); runtime writes go through the `*ByActor` methods, which count and audit like Entra.
 */
export class DirectoryStore {
  readonly apps = new Map<string, SimApp>();
  readonly tenants = new Map<string, Tenant>();
  private readonly byDomain = new Map<string, Tenant>();

  /** `lagFor(tenantId)`: objects younger than this many ms are invisible to reads (replication lag fault). */
  constructor(private readonly lagFor: (tenantId: string) => number = () => 0) {}

  reset(): void {
    this.apps.clear();
    this.tenants.clear();
    this.byDomain.clear();
  }

  addApp(app: SimApp): void {
    this.apps.set(app.appId.toLowerCase(), app);
  }

  findApp(appId: string): SimApp | undefined {
    return this.apps.get(appId.toLowerCase());
  }

  addTenant(t: NewTenant): Tenant {
    const existing = this.tenants.get(t.id.toLowerCase());
    if (existing) this.byDomain.delete(existing.domain.toLowerCase());
    const graphSp: ServicePrincipal = {
      id: t.graphSpId ?? randomUUID(),
      appId: GRAPH_APP_ID,
      displayName: 'Microsoft Graph',
      appRoles: GRAPH_APP_ROLES,
      oauth2PermissionScopes: GRAPH_SCOPES,
      createdAt: 0,
    };
    const tenant: Tenant = {
      ...t,
      id: t.id.toLowerCase(),
      graphSpId: graphSp.id,
      servicePrincipals: new Map([[graphSp.id, graphSp]]),
      grants: new Map(),
      assignments: new Map(),
      users: [],
      groups: [],
      audits: [],
      stats: { requests: 0, writes: emptyWrites(), retryAfterViolations: 0 },
    };
    this.tenants.set(tenant.id, tenant);
    this.byDomain.set(t.domain.toLowerCase(), tenant);
    return tenant;
  }

  /** The tenant path segment may be the GUID or a verified domain, in any case (MSAL lower-cases it). */
  findTenant(segment: string): Tenant | undefined {
    const key = segment.toLowerCase();
    return this.tenants.get(key) ?? this.byDomain.get(key);
  }

  isVisible(t: Tenant, createdAt: number): boolean {
    const lag = this.lagFor(t.id);
    return lag <= 0 || Date.now() - createdAt >= lag;
  }

  spById(t: Tenant, id: string, visibleOnly = true): ServicePrincipal | undefined {
    const sp = t.servicePrincipals.get(id);
    return sp && (!visibleOnly || this.isVisible(t, sp.createdAt)) ? sp : undefined;
  }

  spByAppId(t: Tenant, appId: string, visibleOnly = true): ServicePrincipal | undefined {
    const want = appId.toLowerCase();
    for (const sp of t.servicePrincipals.values()) {
      if (sp.appId.toLowerCase() === want) return !visibleOnly || this.isVisible(t, sp.createdAt) ? sp : undefined;
    }
    return undefined;
  }

  users(t: Tenant): DirectoryUser[] {
    if (!t.generatedUsers) return t.users;
    const { count, seed } = t.generatedUsers;
    const generated = Array.from({ length: count }, (_, i) => generatedUser(seed, t.domain, i));
    return [...generated, ...t.users];
  }

  /** Role values assigned to the app's SP in this tenant (the `roles` claim of its tokens). */
  rolesFor(t: Tenant, appId: string): string[] {
    const sp = this.spByAppId(t, appId, false);
    if (!sp) return [];
    const roles: string[] = [];
    for (const a of t.assignments.values()) {
      if (a.principalId !== sp.id) continue;
      const role = t.servicePrincipals.get(a.resourceId)?.appRoles.find((r) => r.id === a.appRoleId);
      if (role) roles.push(role.value);
    }
    return roles;
  }

  // ---- writes -------------------------------------------------------------------------------------------

  createSp(t: Tenant, app: SimApp, actor: Actor | null, id: string = randomUUID()): ServicePrincipal {
    const sp: ServicePrincipal = {
      id,
      appId: app.appId,
      displayName: app.displayName,
      appRoles: app.appRoles,
      oauth2PermissionScopes: app.exposedScopes,
      createdAt: Date.now(),
    };
    t.servicePrincipals.set(sp.id, sp);
    this.record(t, actor, 'servicePrincipalsCreated', 'Add service principal', 'Add', sp.id, sp.displayName, 'ServicePrincipal');
    return sp;
  }

  deleteSp(t: Tenant, sp: ServicePrincipal, actor: Actor | null): void {
    t.servicePrincipals.delete(sp.id);
    // Entra removes the SP's grants and role assignments with it.
    for (const g of [...t.grants.values()]) if (g.clientId === sp.id || g.resourceId === sp.id) t.grants.delete(g.id);
    for (const a of [...t.assignments.values()]) {
      if (a.principalId === sp.id || a.resourceId === sp.id) t.assignments.delete(a.id);
    }
    this.record(t, actor, 'servicePrincipalsDeleted', 'Remove service principal', 'Delete', sp.id, sp.displayName, 'ServicePrincipal');
  }

  createGrant(t: Tenant, g: Omit<PermissionGrant, 'id' | 'createdAt'>, actor: Actor | null): PermissionGrant {
    // Real grant ids are opaque base64url strings, not GUIDs.
    const grant: PermissionGrant = { ...g, id: randomUUID().replace(/-/g, '') + 'Gr', createdAt: Date.now() };
    t.grants.set(grant.id, grant);
    this.record(t, actor, 'grantsCreated', 'Add delegated permission grant', 'Add', grant.id, grant.scope, 'Other');
    return grant;
  }

  updateGrant(t: Tenant, grant: PermissionGrant, scope: string, actor: Actor | null): void {
    grant.scope = scope;
    this.record(t, actor, 'grantsUpdated', 'Update delegated permission grant', 'Update', grant.id, scope, 'Other');
  }

  deleteGrant(t: Tenant, grant: PermissionGrant, actor: Actor | null): void {
    t.grants.delete(grant.id);
    this.record(t, actor, 'grantsDeleted', 'Remove delegated permission grant', 'Delete', grant.id, grant.scope, 'Other');
  }

  createAssignment(t: Tenant, principal: ServicePrincipal, resource: ServicePrincipal, appRoleId: string, actor: Actor | null): AppRoleAssignment {
    const a: AppRoleAssignment = {
      id: randomUUID().replace(/-/g, '') + 'Ar',
      principalId: principal.id,
      principalDisplayName: principal.displayName,
      resourceId: resource.id,
      resourceDisplayName: resource.displayName,
      appRoleId,
      createdDateTime: new Date().toISOString(),
      createdAt: Date.now(),
    };
    t.assignments.set(a.id, a);
    this.record(t, actor, 'appRoleAssignmentsCreated', 'Add app role assignment to service principal', 'Assign', principal.id, principal.displayName, 'ServicePrincipal');
    return a;
  }

  deleteAssignment(t: Tenant, a: AppRoleAssignment, actor: Actor | null): void {
    t.assignments.delete(a.id);
    this.record(t, actor, 'appRoleAssignmentsDeleted', 'Remove app role assignment from service principal', 'Delete', a.principalId, a.principalDisplayName, 'ServicePrincipal');
  }

  audit(t: Tenant, actor: Actor | null, name: string, op: DirectoryAudit['operationType'], targetId: string, targetName: string, type: string): void {
    t.audits.push({
      id: `Directory_${randomUUID()}`,
      activityDateTime: new Date().toISOString(),
      activityDisplayName: name,
      category: 'ApplicationManagement',
      result: 'success',
      loggedByService: 'Core Directory',
      operationType: op,
      initiatedBy: { app: actor, user: null },
      targetResources: [{ id: targetId, displayName: targetName, type }],
      correlationId: randomUUID(),
    });
  }

  /** A null actor means a seed-time write: neither counted nor audited. */
  private record(t: Tenant, actor: Actor | null, kind: WriteKind, name: string, op: DirectoryAudit['operationType'], id: string, displayName: string, type: string): void {
    if (!actor) return;
    t.stats.writes[kind] += 1;
    this.audit(t, actor, name, op, id, displayName, type);
  }
}

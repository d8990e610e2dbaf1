import { AppRoleAssignmentOps } from './app-role-assignment.ops';
import { diagnoseAuthority } from './authority-diagnosis';
import { EnsureResult, RunOptions } from './consent.types';
import { DelegatedGrantOps } from './delegated-grant.ops';
import { DirectoryAudit, DirectoryAuditOps, DirectoryAuditWindow } from './directory-audit.ops';
import { EntraClientOptions } from './entra-client.options';
import { toEntraError } from './entra-error.mapper';
import { GraphGateway } from './graph-gateway';
import { GraphSubscription, GraphSubscriptionOps, NewGraphSubscription } from './graph-subscription.ops';
import { AppRoleAssignment, Organization, PermissionGrant, ServicePrincipalRef, organizationSchema } from './graph.schemas';
import { ServicePrincipalOps } from './service-principal.ops';
import { TenantConnections } from './tenant-connections';

export const MICROSOFT_GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

export interface ConsentState {
  tenantId: string;
  servicePrincipal: ServicePrincipalRef | null;
  graphServicePrincipalId: string | null;
  /** Every grant whose client is the app's SP (tenant-wide and per-user), for drift checks. */
  grants: PermissionGrant[];
  appRoleAssignments: AppRoleAssignment[];
}

/**
 * The product's Entra/Graph client: idempotent consent primitives that read before they write, return the
 * changes they made (or, in plan mode, would make), and fail only with coded EntraErrors.
 */
export class EntraClient {
  private readonly connections: TenantConnections;
  private readonly graph: GraphGateway;
  private readonly sps: ServicePrincipalOps;
  private readonly grants: DelegatedGrantOps;
  private readonly roles: AppRoleAssignmentOps;
  private readonly audits: DirectoryAuditOps;
  private readonly subscriptions: GraphSubscriptionOps;

  constructor(private readonly opts: EntraClientOptions) {
    this.connections = new TenantConnections(opts);
    this.graph = new GraphGateway(this.connections, opts);
    this.sps = new ServicePrincipalOps(this.graph);
    this.grants = new DelegatedGrantOps(this.graph);
    this.roles = new AppRoleAssignmentOps(this.graph);
    this.audits = new DirectoryAuditOps(this.graph);
    this.subscriptions = new GraphSubscriptionOps(this.graph);
  }

  /** An app-only token for the tenant: the cheapest proof that consent exists (DESIGN.md verify-access). */
  async verifyAccess(tenantId: string): Promise<void> {
    const { credential } = this.connections.get(tenantId);
    try {
      await credential.getToken(this.opts.graphScope ?? 'https://graph.microsoft.com/.default');
    } catch (e) {
      throw await diagnoseAuthority(toEntraError(e, { tenantId, operation: 'acquire app-only token', defaultRetryAfterMs: this.opts.defaultRetryAfterMs }), tenantId, this.opts, this.connections.authorityFailures);
    }
  }

  /** Graph change notifications (issue 8): create (after Graph's validation handshake), renew, delete. */
  createSubscription(tenantId: string, s: NewGraphSubscription): Promise<GraphSubscription> {
    return this.subscriptions.create(tenantId, s);
  }

  renewSubscription(tenantId: string, id: string, expiresAt: Date): Promise<boolean> {
    return this.subscriptions.renew(tenantId, id, expiresAt);
  }

  deleteSubscription(tenantId: string, id: string): Promise<void> {
    return this.subscriptions.delete(tenantId, id);
  }

  async readOrganization(tenantId: string): Promise<Organization> {
    const [org] = await this.graph.list(tenantId, '/organization', organizationSchema, { operation: 'read organization', requiredPermission: 'Organization.Read.All' });
    if (!org) throw toEntraError(new Error('organization list is empty'), { tenantId, operation: 'read organization' });
    return org;
  }

  findServicePrincipal(tenantId: string, appId: string): Promise<ServicePrincipalRef | undefined> {
    return this.sps.find(tenantId, appId);
  }

  ensureServicePrincipal(tenantId: string, appId: string, opts?: RunOptions): Promise<EnsureResult<ServicePrincipalRef>> {
    return this.sps.ensure(tenantId, appId, opts);
  }

  removeServicePrincipal(tenantId: string, appId: string, opts?: RunOptions): Promise<EnsureResult<undefined>> {
    return this.sps.remove(tenantId, appId, opts);
  }

  ensureDelegatedGrant(tenantId: string, clientSpId: string, resourceSpId: string, scopes: string[], opts?: RunOptions): Promise<EnsureResult<PermissionGrant>> {
    return this.grants.ensure(tenantId, clientSpId, resourceSpId, scopes, opts);
  }

  /** `ensureDelegatedGrant` for several resources of one client, with one listing of its grants. */
  ensureDelegatedGrants(tenantId: string, clientSpId: string, wants: { resourceSpId: string; scopes: string[] }[], opts?: RunOptions): Promise<EnsureResult<PermissionGrant>[]> {
    return this.grants.ensureMany(tenantId, clientSpId, wants, opts);
  }

  revokeDelegatedGrant(tenantId: string, clientSpId: string, resourceSpId: string, scopes?: string[], opts?: RunOptions): Promise<EnsureResult<undefined>> {
    return this.grants.revoke(tenantId, clientSpId, resourceSpId, scopes, opts);
  }

  ensureAppRoleAssignment(tenantId: string, principalSpId: string, resourceSpId: string, appRoleId: string, opts?: RunOptions): Promise<EnsureResult<AppRoleAssignment>> {
    return this.roles.ensure(tenantId, principalSpId, resourceSpId, appRoleId, opts);
  }

  removeAppRoleAssignment(tenantId: string, principalSpId: string, resourceSpId: string, appRoleId: string, opts?: RunOptions): Promise<EnsureResult<undefined>> {
    return this.roles.remove(tenantId, principalSpId, resourceSpId, appRoleId, opts);
  }

  /** Directory audits in the window, one page at a time (newest first). */
  listDirectoryAudits(tenantId: string, window?: DirectoryAuditWindow): AsyncGenerator<DirectoryAudit[]> {
    return this.audits.pages(tenantId, window);
  }

  /** Reads only: the app's SP, its grants and role assignments, and the tenant's Graph SP id. */
  async readConsentState(tenantId: string, appId: string): Promise<ConsentState> {
    // One request at a time: a request sent after a 429 to the same tenant, before its Retry-After has passed, counts
    // against the limit (contract §6), and parallel reads cannot stop when a sibling is throttled.
    const sp = await this.sps.find(tenantId, appId);
    const graphSp = await this.sps.find(tenantId, MICROSOFT_GRAPH_APP_ID);
    if (!sp) return { tenantId, servicePrincipal: null, graphServicePrincipalId: graphSp?.id ?? null, grants: [], appRoleAssignments: [] };
    const grants = await this.grants.list(tenantId, sp.id);
    const appRoleAssignments = await this.roles.list(tenantId, sp.id);
    return { tenantId, servicePrincipal: sp, graphServicePrincipalId: graphSp?.id ?? null, grants, appRoleAssignments };
  }
}

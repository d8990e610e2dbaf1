import { Change, EnsureResult, RunOptions } from './consent.types';
import { GraphGateway, isStatus } from './graph-gateway';
import { ServicePrincipalRef, servicePrincipalSchema } from './graph.schemas';

const READ = { operation: 'read service principal', requiredPermission: 'Application.ReadWrite.All' };
const WRITE = { operation: 'create service principal', requiredPermission: 'Application.ReadWrite.All' };
const DELETE = { operation: 'remove service principal', requiredPermission: 'Application.ReadWrite.All' };

const quote = (s: string): string => s.replace(/'/g, "''");

export class ServicePrincipalOps {
  constructor(private readonly graph: GraphGateway) {}

  async find(tenantId: string, appId: string): Promise<ServicePrincipalRef | undefined> {
    const found = await this.graph.list(tenantId, `/servicePrincipals?$filter=appId eq '${quote(appId)}'&$select=id,appId,displayName`, servicePrincipalSchema, READ);
    return found[0];
  }

  /** The app's SP in the tenant, created if missing; a 409 or a replication-lag 404 is resolved by re-reading. */
  async ensure(tenantId: string, appId: string, opts: RunOptions = {}): Promise<EnsureResult<ServicePrincipalRef>> {
    const existing = await this.find(tenantId, appId);
    if (existing) return { value: existing, changes: [] };
    const change: Change = { kind: 'createServicePrincipal', target: appId, applied: false };
    if (opts.plan) return { value: undefined, changes: [change] };
    try {
      const created = await this.graph.post(tenantId, '/servicePrincipals', { appId }, servicePrincipalSchema, WRITE);
      return { value: created, changes: [{ ...change, target: created.id, detail: appId, applied: true }] };
    } catch (e) {
      // 409: someone (an admin, a concurrent run) created it, or our earlier write has not replicated to our reads.
      // 404: the write may have applied although it answered 404 (contract §5).
      if (!isStatus(e, 409) && !isStatus(e, 404)) throw e;
      const sp = await this.graph.reread(tenantId, `service principal for ${appId}`, () => this.find(tenantId, appId));
      return { value: sp, changes: isStatus(e, 404) ? [{ ...change, target: sp.id, detail: appId, applied: true }] : [] };
    }
  }

  async remove(tenantId: string, appId: string, opts: RunOptions = {}): Promise<EnsureResult<undefined>> {
    const sp = await this.find(tenantId, appId);
    if (!sp) return { value: undefined, changes: [] };
    const change: Change = { kind: 'deleteServicePrincipal', target: sp.id, detail: appId, applied: false };
    if (opts.plan) return { value: undefined, changes: [change] };
    try {
      await this.graph.delete(tenantId, `/servicePrincipals/${sp.id}`, DELETE);
    } catch (e) {
      if (!isStatus(e, 404)) throw e; // already gone: the goal state holds
      return { value: undefined, changes: [] };
    }
    return { value: undefined, changes: [{ ...change, applied: true }] };
  }
}

import { Change, EnsureResult, RunOptions } from './consent.types';
import { GraphGateway, isStatus, vendorSays } from './graph-gateway';
import { AppRoleAssignment, assignmentSchema } from './graph.schemas';

const PERM = 'AppRoleAssignment.ReadWrite.All';
const READ = { operation: 'list app role assignments', requiredPermission: 'Application.Read.All' };
const CREATE = { operation: 'assign app role', requiredPermission: PERM };
const DELETE = { operation: 'remove app role assignment', requiredPermission: PERM };

export class AppRoleAssignmentOps {
  constructor(private readonly graph: GraphGateway) {}

  async list(tenantId: string, principalSpId: string): Promise<AppRoleAssignment[]> {
    return this.graph.list(tenantId, `/servicePrincipals/${principalSpId}/appRoleAssignments`, assignmentSchema, READ);
  }

  private async find(tenantId: string, principalSpId: string, resourceSpId: string, appRoleId: string): Promise<AppRoleAssignment | undefined> {
    return (await this.list(tenantId, principalSpId)).find((a) => a.resourceId === resourceSpId && a.appRoleId === appRoleId);
  }

  async ensure(tenantId: string, principalSpId: string, resourceSpId: string, appRoleId: string, opts: RunOptions = {}): Promise<EnsureResult<AppRoleAssignment>> {
    const existing = await this.find(tenantId, principalSpId, resourceSpId, appRoleId);
    if (existing) return { value: existing, changes: [] };
    const change: Change = { kind: 'createAppRoleAssignment', target: `${principalSpId}->${resourceSpId}`, detail: appRoleId, applied: false };
    if (opts.plan) return { value: undefined, changes: [change] };
    const reread = () => this.graph.reread(tenantId, `app role assignment ${appRoleId}`, () => this.find(tenantId, principalSpId, resourceSpId, appRoleId));
    try {
      const a = await this.graph.post(tenantId, `/servicePrincipals/${resourceSpId}/appRoleAssignedTo`, { principalId: principalSpId, resourceId: resourceSpId, appRoleId }, assignmentSchema, CREATE);
      return { value: a, changes: [{ ...change, target: a.id, applied: true }] };
    } catch (e) {
      // Contract §5: "Permission being assigned already exists on the object." is a 400, not a 409.
      if (isStatus(e, 400) && vendorSays(e, 'already exists')) return { value: await reread(), changes: [] };
      if (!isStatus(e, 404)) throw e;
      const a = await reread();
      return { value: a, changes: [{ ...change, target: a.id, applied: true }] };
    }
  }

  async remove(tenantId: string, principalSpId: string, resourceSpId: string, appRoleId: string, opts: RunOptions = {}): Promise<EnsureResult<undefined>> {
    const a = await this.find(tenantId, principalSpId, resourceSpId, appRoleId);
    if (!a) return { value: undefined, changes: [] };
    if (!opts.plan) {
      try {
        await this.graph.delete(tenantId, `/servicePrincipals/${resourceSpId}/appRoleAssignedTo/${a.id}`, DELETE);
      } catch (e) {
        if (!isStatus(e, 404)) throw e;
        return { value: undefined, changes: [] };
      }
    }
    return { value: undefined, changes: [{ kind: 'deleteAppRoleAssignment', target: a.id, detail: appRoleId, applied: !opts.plan }] };
  }
}

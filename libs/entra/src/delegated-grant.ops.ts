import { Change, EnsureResult, RunOptions } from './consent.types';
import { GraphGateway, isStatus, vendorSays } from './graph-gateway';
import { PermissionGrant, grantSchema } from './graph.schemas';

const PERM = 'DelegatedPermissionGrant.ReadWrite.All';
const READ = { operation: 'list delegated permission grants', requiredPermission: PERM };
const CREATE = { operation: 'create delegated permission grant', requiredPermission: PERM };
const UPDATE = { operation: 'update delegated permission grant', requiredPermission: PERM };
const DELETE = { operation: 'remove delegated permission grant', requiredPermission: PERM };

export const scopesOf = (scope: string): string[] => scope.split(' ').filter(Boolean);

/** Union keeping the existing order first, so an unchanged grant compares equal. */
export function unionScopes(...lists: string[][]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const s of lists.flat()) {
    if (!seen.has(s.toLowerCase())) {
      seen.add(s.toLowerCase());
      out.push(s);
    }
  }
  return out;
}

const tenantWideOf = (grants: PermissionGrant[], resourceSpId: string): PermissionGrant[] =>
  grants.filter((g) => g.resourceId === resourceSpId && g.consentType === 'AllPrincipals');

export class DelegatedGrantOps {
  constructor(private readonly graph: GraphGateway) {}

  async list(tenantId: string, clientSpId: string): Promise<PermissionGrant[]> {
    return this.graph.list(tenantId, `/oauth2PermissionGrants?$filter=clientId eq '${clientSpId}'`, grantSchema, READ);
  }

  /** Tenant-wide grants for the pair; per-user (Principal) grants are not ours to touch. */
  private async tenantWide(tenantId: string, clientSpId: string, resourceSpId: string): Promise<PermissionGrant[]> {
    return tenantWideOf(await this.list(tenantId, clientSpId), resourceSpId);
  }

  /**
   * `ensure` for several resources of one client, reading the client's grants once (one Graph call fewer per
   * extra resource): a write for one resource does not change another resource's grants, so the shared listing
   * stays true for each. Resources must be distinct.
   */
  async ensureMany(tenantId: string, clientSpId: string, wants: { resourceSpId: string; scopes: string[] }[], opts: RunOptions = {}): Promise<EnsureResult<PermissionGrant>[]> {
    if (new Set(wants.map((w) => w.resourceSpId.toLowerCase())).size !== wants.length) throw new Error('ensureMany: resources must be distinct');
    const listed = await this.list(tenantId, clientSpId);
    const out: EnsureResult<PermissionGrant>[] = [];
    // One after the other (never in parallel): a request sent inside a sibling's Retry-After counts against the limit.
    for (const w of wants) out.push(await this.ensure(tenantId, clientSpId, w.resourceSpId, w.scopes, opts, tenantWideOf(listed, w.resourceSpId)));
    return out;
  }

  /**
   * One AllPrincipals grant client→resource holding at least `scopes`. Fixes every partial state the manual
   * script trips on (restore-portal.md): missing grant, narrower scope (PATCH with the union, since PATCH
   * replaces), duplicates (keep one with the union of all their scopes, delete the rest).
   */
  async ensure(
    tenantId: string,
    clientSpId: string,
    resourceSpId: string,
    scopes: string[],
    opts: RunOptions = {},
    known?: PermissionGrant[],
  ): Promise<EnsureResult<PermissionGrant>> {
    let grants = known ?? (await this.tenantWide(tenantId, clientSpId, resourceSpId));
    const changes: Change[] = [];
    if (grants.length === 0) {
      const scope = unionScopes(scopes).join(' ');
      const change: Change = { kind: 'createGrant', target: `${clientSpId}->${resourceSpId}`, detail: scope, applied: false };
      if (opts.plan) return { value: undefined, changes: [change] };
      const created = await this.create(tenantId, clientSpId, resourceSpId, scope);
      if (created.created) changes.push({ ...change, target: created.grant.id, applied: true });
      grants = created.created ? [created.grant] : await this.tenantWide(tenantId, clientSpId, resourceSpId);
    }
    const [keep, ...duplicates] = grants;
    const wanted = unionScopes(scopesOf(keep!.scope), ...duplicates.map((d) => scopesOf(d.scope)), scopes);
    if (wanted.length !== scopesOf(keep!.scope).length) {
      const scope = wanted.join(' ');
      if (!opts.plan) await this.graph.patch(tenantId, `/oauth2PermissionGrants/${keep!.id}`, { scope }, UPDATE);
      changes.push({ kind: 'updateGrant', target: keep!.id, detail: scope, applied: !opts.plan });
      keep!.scope = scope;
    }
    for (const d of duplicates) {
      if (!opts.plan) await this.deleteTolerant(tenantId, d.id);
      changes.push({ kind: 'deleteGrant', target: d.id, detail: `duplicate of ${keep!.id}`, applied: !opts.plan });
    }
    return { value: keep, changes };
  }

  private async create(tenantId: string, clientId: string, resourceId: string, scope: string): Promise<{ grant: PermissionGrant; created: boolean }> {
    const reread = () =>
      this.graph.reread(tenantId, `grant ${clientId}->${resourceId}`, async () => (await this.tenantWide(tenantId, clientId, resourceId))[0]);
    try {
      const grant = await this.graph.post(tenantId, '/oauth2PermissionGrants', { clientId, consentType: 'AllPrincipals', principalId: null, resourceId, scope }, grantSchema, CREATE);
      return { grant, created: true };
    } catch (e) {
      // "Permission entry already exists." arrives as 409 (observed) or 400 (reported): the grant exists already.
      if ((isStatus(e, 409) || isStatus(e, 400)) && vendorSays(e, 'Permission entry already exists')) return { grant: await reread(), created: false };
      if (!isStatus(e, 404)) throw e;
      // 404: either our write applied but answered 404, or client/resource SP has not replicated yet.
      const seen = (await this.tenantWide(tenantId, clientId, resourceId))[0];
      if (seen) return { grant: seen, created: true };
      const grant = await this.graph.reread(tenantId, `grant ${clientId}->${resourceId}`, async () => {
        const again = (await this.tenantWide(tenantId, clientId, resourceId))[0];
        if (again) return again;
        try {
          return await this.graph.post(tenantId, '/oauth2PermissionGrants', { clientId, consentType: 'AllPrincipals', principalId: null, resourceId, scope }, grantSchema, CREATE);
        } catch (retryErr) {
          // Still not visible (404), or it exists but our reads lag behind (duplicate): keep re-reading.
          if (isStatus(retryErr, 404) || vendorSays(retryErr, 'Permission entry already exists')) return undefined;
          throw retryErr;
        }
      });
      return { grant, created: true };
    }
  }

  private async deleteTolerant(tenantId: string, id: string): Promise<void> {
    try {
      await this.graph.delete(tenantId, `/oauth2PermissionGrants/${id}`, DELETE);
    } catch (e) {
      if (!isStatus(e, 404)) throw e;
    }
  }

  /** Offboarding: removes `scopes` from the tenant-wide grant (or every tenant-wide grant when none given). */
  async revoke(tenantId: string, clientSpId: string, resourceSpId: string, scopes?: string[], opts: RunOptions = {}): Promise<EnsureResult<undefined>> {
    const grants = await this.tenantWide(tenantId, clientSpId, resourceSpId);
    const changes: Change[] = [];
    const drop = new Set((scopes ?? []).map((s) => s.toLowerCase()));
    for (const g of grants) {
      const left = scopes ? scopesOf(g.scope).filter((s) => !drop.has(s.toLowerCase())) : [];
      if (left.length === scopesOf(g.scope).length) continue;
      if (left.length === 0) {
        if (!opts.plan) await this.deleteTolerant(tenantId, g.id);
        changes.push({ kind: 'deleteGrant', target: g.id, detail: g.scope, applied: !opts.plan });
      } else {
        if (!opts.plan) await this.graph.patch(tenantId, `/oauth2PermissionGrants/${g.id}`, { scope: left.join(' ') }, UPDATE);
        changes.push({ kind: 'updateGrant', target: g.id, detail: left.join(' '), applied: !opts.plan });
      }
    }
    return { value: undefined, changes };
  }
}

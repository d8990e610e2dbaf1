import { RESTGroup, RESTRbacItem, RESTRbacOperator, RESTSite, RESTTeam, RESTUser, Vb365Client } from '@app/vb365';
import { DeclaredRole, RoleRef, isEmail, isGuid } from './role-declaration';
import { DesiredRole, MemberList, RoleType, memberKey } from './role-state';

export interface RoleReconcileFailure {
  role: string;
  /** The offending reference, e.g. `operators.0 group "Helpdesk"`. */
  reference?: string;
  code: string;
  message: string;
}

type Lookup = { ok: RESTRbacItem } | { code: 'UNRESOLVED' | 'AMBIGUOUS'; message: string };

const eq = (a: string | null | undefined, b: string): boolean => (a ?? '').trim().toLowerCase() === b.trim().toLowerCase();
const normUrl = (u: string | null | undefined): string => (u ?? '').trim().replace(/\/+$/, '').toLowerCase();

async function collect<T>(it: AsyncIterable<T>, keep: (t: T) => boolean): Promise<T[]> {
  const out: T[] = [];
  for await (const t of it) if (keep(t)) out.push(t);
  return out;
}

/** The organization user list says Shared/Public; RbacUser says SharedMailbox/PublicMailbox (vb365.md). */
const userType = (t: RESTUser['type']): string => (t === 'Shared' ? 'SharedMailbox' : t === 'Public' ? 'PublicMailbox' : 'User');

const asUser = (u: RESTUser): RESTRbacItem => ({
  type: 'User',
  user: { id: u.id, displayName: u.displayName ?? '', name: u.name ?? '', type: userType(u.type) },
});
const asGroup = (g: RESTGroup): RESTRbacItem => ({
  type: 'Group',
  group: { id: g.id, displayName: g.displayName ?? '', name: g.name ?? '', type: g.type ?? 'Unknown' },
});
const asSite = (s: RESTSite): RESTRbacItem => ({
  type: 'Site',
  site: { id: s.id, url: s.url ?? '', title: s.title ?? '', ...(s.parentUrl ? { parentUrl: s.parentUrl } : {}), isCloud: s.isCloud ?? true, isPersonal: s.isPersonal ?? false },
});
const asTeam = (t: RESTTeam): RESTRbacItem => ({
  type: 'Team',
  team: { id: t.id, displayName: t.displayName ?? '', description: t.description ?? '', mail: t.mail ?? '' },
});

function one<T>(hits: T[], what: string, map: (t: T) => RESTRbacItem): Lookup {
  if (hits.length === 1) return { ok: map(hits[0]!) };
  if (hits.length === 0) return { code: 'UNRESOLVED', message: `No ${what} in the VB365 organization.` };
  return { code: 'AMBIGUOUS', message: `${hits.length} objects match ${what}; use a unique reference (e-mail or object id).` };
}

/**
 * Resolves human references against one VB365 organization. One instance per reconciliation: lookups are cached,
 * so a group used by ten roles is looked up once, and full listings (needed for object-id and team-mail lookups,
 * which VB365 cannot filter on) are read at most once.
 */
export class RoleResolver {
  private readonly cache = new Map<string, Promise<Lookup>>();
  private readonly listings = new Map<string, Promise<unknown[]>>();

  constructor(
    private readonly vb365: Vb365Client,
    private readonly organizationId: string,
  ) {}

  /** A role with every reference resolved, or the per-reference failures (the role is then not applied at all). */
  async resolveRole(d: DeclaredRole): Promise<{ role: DesiredRole } | { failures: RoleReconcileFailure[] }> {
    const failures: RoleReconcileFailure[] = [];
    const resolveList = async (list: MemberList, refs: RoleRef[]): Promise<RESTRbacItem[]> => {
      const out: RESTRbacItem[] = [];
      for (const [i, r] of refs.entries()) {
        const res = await this.resolve(r);
        const reference = `${list}.${i} ${r.kind} "${r.ref}"`;
        if ('ok' in res) {
          // Two references to one object (e.g. UPN and object id) are one member.
          if (!out.some((m) => memberKey(m) === memberKey(res.ok))) out.push(res.ok);
        } else failures.push({ role: d.name, reference, code: res.code, message: res.message });
      }
      return out;
    };
    const operators = await resolveList('operators', d.operators);
    const selectedItems = await resolveList('selectedItems', d.selectedItems);
    const excludedItems = await resolveList('excludedItems', d.excludedItems);
    const both = selectedItems.find((s) => excludedItems.some((e) => memberKey(e) === memberKey(s)));
    if (both) {
      failures.push({ role: d.name, code: 'SELECTED_AND_EXCLUDED', message: `Two references resolve to the same object (${memberKey(both)}), selected and excluded.` });
    }
    if (failures.length) return { failures };
    const roleType: RoleType = d.scope === 'specific_objects' ? 'SpecificObjects' : 'EntireOrganization';
    return {
      role: {
        name: d.name,
        description: d.description,
        roleType,
        operators: operators as RESTRbacOperator[],
        selectedItems,
        excludedItems,
        adopt: d.adopt,
      },
    };
  }

  resolve(r: RoleRef): Promise<Lookup> {
    const key = `${r.kind}:${r.ref.trim().toLowerCase()}`;
    let p = this.cache.get(key);
    if (!p) {
      p = this.lookup(r);
      this.cache.set(key, p);
      // A failed call (throttled, transient) must not poison the cache for a retry within this instance.
      p.catch(() => this.cache.delete(key));
    }
    return p;
  }

  private listing<T>(kind: string, load: () => AsyncIterable<T>): Promise<T[]> {
    let p = this.listings.get(kind) as Promise<T[]> | undefined;
    if (!p) {
      p = collect(load(), () => true);
      this.listings.set(kind, p);
      p.catch(() => this.listings.delete(kind));
    }
    return p;
  }

  private async lookup({ kind, ref: raw }: RoleRef): Promise<Lookup> {
    const ref = raw.trim();
    const org = this.organizationId;
    const dir = this.vb365.directory;
    switch (kind) {
      case 'user':
        if (isGuid(ref)) return one((await this.listing('users', () => dir.users(org))).filter((u) => eq(u.msid, ref)), `user with object id ${ref}`, asUser);
        return one(await collect(dir.users(org, { userName: ref }), (u) => eq(u.name, ref)), `user ${ref}`, asUser);
      case 'group':
        if (isGuid(ref)) return one((await this.listing('groups', () => dir.groups(org))).filter((g) => eq(g.msid, ref)), `group with object id ${ref}`, asGroup);
        if (isEmail(ref)) return one(await collect(dir.groups(org, { groupName: ref }), (g) => eq(g.name, ref)), `group with mail ${ref}`, asGroup);
        return one(await collect(dir.groups(org, { displayName: ref }), (g) => eq(g.displayName, ref)), `group named "${ref}"`, asGroup);
      case 'site':
        return one(
          await collect(dir.sites(org, { filter: ref.replace(/\/+$/, ''), includePersonalSites: true }), (s) => normUrl(s.url) === normUrl(ref)),
          `site ${ref}`,
          asSite,
        );
      case 'team':
        if (isEmail(ref)) return one((await this.listing('teams', () => dir.teams(org))).filter((t) => eq(t.mail, ref)), `team with mail ${ref}`, asTeam);
        return one(await collect(dir.teams(org, { displayName: ref }), (t) => eq(t.displayName, ref)), `team named "${ref}"`, asTeam);
    }
  }
}

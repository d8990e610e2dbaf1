import { Query, Vb365Api } from './vb365-api';
import { schemas } from './vb365.parse';
import { RESTGroup, RESTSite, RESTTeam, RESTUser } from './vb365.types';

export type DataSource = 'PreferLocal' | 'Production' | 'PreferLocalResynced';

/** VB365 name filters treat * and ? as wildcards; exact lookups escape nothing, so we re-check equality. */
const hasWildcard = (s: string): boolean => /[*?]/.test(s);
const eq = (a: string | null, b: string): boolean => (a ?? '').toLowerCase() === b.toLowerCase();

async function collect<T>(it: AsyncIterable<T>, keep: (t: T) => boolean = () => true): Promise<T[]> {
  const out: T[] = [];
  for await (const t of it) if (keep(t)) out.push(t);
  return out;
}

/** Users, groups, sites and teams of an organization: how role members are resolved (vb365.md). */
export class DirectoryService {
  constructor(private readonly api: Vb365Api) {}

  users(organizationId: string, filter: { userName?: string; displayName?: string; dataSource?: DataSource } = {}): AsyncGenerator<RESTUser> {
    return this.api.paginate(`/v8/Organizations/${organizationId}/Users`, schemas.user, filter as Query, 'user list');
  }

  groups(organizationId: string, filter: { groupName?: string; displayName?: string; dataSource?: DataSource } = {}): AsyncGenerator<RESTGroup> {
    return this.api.paginate(`/v8/Organizations/${organizationId}/Groups`, schemas.group, filter as Query, 'group list');
  }

  sites(organizationId: string, filter: { filter?: string; parentId?: string; includePersonalSites?: boolean; dataSource?: DataSource } = {}): AsyncGenerator<RESTSite> {
    return this.api.paginate(`/v8/Organizations/${organizationId}/Sites`, schemas.site, filter as Query, 'site list');
  }

  teams(organizationId: string, filter: { displayName?: string; dataSource?: DataSource } = {}): AsyncGenerator<RESTTeam> {
    return this.api.paginate(`/v8/Organizations/${organizationId}/Teams`, schemas.team, filter as Query, 'team list');
  }

  /** By e-mail / UPN (RESTUser.name). */
  async userByEmail(organizationId: string, email: string): Promise<RESTUser | undefined> {
    const hits = await collect(this.users(organizationId, { userName: email }), (u) => hasWildcard(email) || eq(u.name, email));
    return hits[0];
  }

  usersByDisplayName(organizationId: string, displayName: string): Promise<RESTUser[]> {
    return collect(this.users(organizationId, { displayName }), (u) => hasWildcard(displayName) || eq(u.displayName, displayName));
  }

  /** By Entra object id: VB365 has no msid filter, so this lists the organization's users. */
  async userByMsid(organizationId: string, msid: string): Promise<RESTUser | undefined> {
    return (await collect(this.users(organizationId), (u) => eq(u.msid, msid)))[0];
  }

  async groupByName(organizationId: string, name: string): Promise<RESTGroup | undefined> {
    return (await collect(this.groups(organizationId, { groupName: name }), (g) => hasWildcard(name) || eq(g.name, name)))[0];
  }

  groupsByDisplayName(organizationId: string, displayName: string): Promise<RESTGroup[]> {
    return collect(this.groups(organizationId, { displayName }), (g) => hasWildcard(displayName) || eq(g.displayName, displayName));
  }

  async groupByMsid(organizationId: string, msid: string): Promise<RESTGroup | undefined> {
    return (await collect(this.groups(organizationId), (g) => eq(g.msid, msid)))[0];
  }

  async siteByUrl(organizationId: string, url: string): Promise<RESTSite | undefined> {
    const norm = url.replace(/\/+$/, '');
    return (await collect(this.sites(organizationId, { filter: norm }), (s) => eq((s.url ?? '').replace(/\/+$/, ''), norm)))[0];
  }

  teamsByDisplayName(organizationId: string, displayName: string): Promise<RESTTeam[]> {
    return collect(this.teams(organizationId, { displayName }), (t) => hasWildcard(displayName) || eq(t.displayName, displayName));
  }

  async teamByMail(organizationId: string, mail: string): Promise<RESTTeam | undefined> {
    return (await collect(this.teams(organizationId), (t) => eq(t.mail, mail)))[0];
  }
}

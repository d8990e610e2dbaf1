import { FastifyInstance } from 'fastify';
import { Query, bool, isUuid, oneOf, page, pageRequest, wildcard } from '../http/paging';
import { invalid } from '../http/rest-error';
import { SimStore } from '../store/sim-store';
import { SimGroup, SimOrganization, SimSite, SimTeam, SimUser } from '../store/sim.types';
import { requireOrganization } from './organizations.routes';

const DATA_SOURCES = ['PreferLocal', 'Production', 'PreferLocalResynced'] as const;
const LOCATION = ['Cloud', 'OnPremises', 'Hybrid', 'CloudOrHybrid', 'OnPremisesOrHybrid', 'Any'] as const;

const renderUser = (orgId: string) => (u: SimUser) => ({
  id: u.id,
  displayName: u.displayName,
  name: u.name,
  type: u.type,
  locationType: u.locationType,
  msid: u.msid,
  _links: { self: { href: `/v8/Organizations/${orgId}/Users/${u.id}` } },
});
const renderGroup = (orgId: string) => (g: SimGroup) => ({
  id: g.id,
  displayName: g.displayName,
  name: g.name,
  type: g.type,
  locationType: g.locationType,
  msid: g.msid,
  _links: { self: { href: `/v8/Organizations/${orgId}/Groups/${g.id}` } },
});
const renderSite = (orgId: string) => (s: SimSite) => ({
  id: s.id,
  url: s.url,
  parentUrl: s.parentUrl,
  title: s.title,
  name: s.title,
  isCloud: s.isCloud,
  isPersonal: s.isPersonal,
  isAvailable: true,
  _links: { self: { href: `/v8/Organizations/${orgId}/Sites/${s.id}` } },
});
const renderTeam = (orgId: string) => (t: SimTeam) => ({
  id: t.id,
  displayName: t.displayName,
  description: t.description,
  mail: t.mail,
  _links: { self: { href: `/v8/Organizations/${orgId}/Teams/${t.id}` } },
});

function locationMatches(filter: (typeof LOCATION)[number] | undefined, location: 'OnPremises' | 'Cloud' | 'Hybrid'): boolean {
  switch (filter) {
    case undefined:
    case 'Any':
      return true;
    case 'CloudOrHybrid':
      return location !== 'OnPremises';
    case 'OnPremisesOrHybrid':
      return location !== 'Cloud';
    default:
      return filter === location;
  }
}

/**
 * Paged listing with VB365's result-set cache: the first page's filtered ids are stored under a setId that
 * later pages pass back, so the listing is stable while the directory changes.
 */
function listWithSet<T extends { id: string }>(
  store: SimStore,
  org: SimOrganization,
  kind: string,
  query: Query,
  all: readonly T[],
  byId: Map<string, T>,
  filter: (item: T) => boolean,
): { items: T[]; setId: string } {
  oneOf(query, 'dataSource', DATA_SOURCES);
  if (query.setId) {
    if (!isUuid(query.setId)) throw invalid(`The value '${query.setId}' is not valid for setId.`);
    const ids = store.resultSet(query.setId, org.id, kind);
    if (!ids) throw invalid(`The result set '${query.setId}' does not exist or has expired.`);
    return { items: ids.map((id) => byId.get(id)).filter((x): x is T => x !== undefined), setId: query.setId.toLowerCase() };
  }
  const items = all.filter(filter);
  return { items, setId: store.createResultSet(org.id, kind, items.map((i) => i.id)) };
}

/** Users, groups, sites and teams of an organization: what role operators and items are resolved from. */
export function registerDirectoryRoutes(app: FastifyInstance, store: SimStore): void {
  app.get('/v8/Organizations/:organizationId/Users', async (request) => {
    const org = requireOrganization(store, (request.params as { organizationId: string }).organizationId);
    const query = request.query as Query;
    const req = pageRequest(query);
    const byName = wildcard(query.userName);
    const byDisplay = wildcard(query.displayName);
    const location = oneOf(query, 'locationFilter', LOCATION);
    oneOf(query, 'detectedSkuType', ['Other', 'Education'] as const);
    const { items, setId } = listWithSet(store, org, 'Users', query, org.users, org.usersById, (u) =>
      (!byName || byName(u.name)) && (!byDisplay || byDisplay(u.displayName)) && locationMatches(location, u.locationType),
    );
    const extra = { userName: query.userName, displayName: query.displayName, locationFilter: query.locationFilter };
    return page(`/v8/Organizations/${org.id}/Users`, items, req, renderUser(org.id), extra, setId);
  });

  app.get('/v8/Organizations/:organizationId/Groups', async (request) => {
    const org = requireOrganization(store, (request.params as { organizationId: string }).organizationId);
    const query = request.query as Query;
    const req = pageRequest(query);
    const byName = wildcard(query.groupName);
    const byDisplay = wildcard(query.displayName);
    const location = oneOf(query, 'locationFilter', LOCATION);
    const { items, setId } = listWithSet(store, org, 'Groups', query, org.groups, org.groupsById, (g) =>
      (!byName || byName(g.name)) && (!byDisplay || byDisplay(g.displayName)) && locationMatches(location, g.locationType),
    );
    const extra = { groupName: query.groupName, displayName: query.displayName, locationFilter: query.locationFilter };
    return page(`/v8/Organizations/${org.id}/Groups`, items, req, renderGroup(org.id), extra, setId);
  });

  app.get('/v8/Organizations/:organizationId/Sites', async (request) => {
    const org = requireOrganization(store, (request.params as { organizationId: string }).organizationId);
    const query = request.query as Query;
    const req = pageRequest(query);
    const personal = bool(query, 'includePersonalSites') ?? false;
    bool(query, 'includeSearchSites');
    oneOf(query, 'locationFilter', ['Cloud', 'OnPremises', 'Any'] as const);
    // `filter` matches title or URL; `parentId=root` means top-level sites (no parent URL).
    const byText = wildcard(query.filter && !/[*?]/.test(query.filter) ? `*${query.filter}*` : query.filter);
    const parent = query.parentId === 'root' ? '' : query.parentId ? org.sitesById.get(query.parentId)?.url ?? '\u0000' : undefined;
    const { items, setId } = listWithSet(store, org, 'Sites', query, org.sites, org.sitesById, (s) =>
      (personal || !s.isPersonal) && (!byText || byText(s.title) || byText(s.url)) && (parent === undefined || s.parentUrl === parent),
    );
    const extra = { includePersonalSites: query.includePersonalSites, parentId: query.parentId, filter: query.filter };
    return page(`/v8/Organizations/${org.id}/Sites`, items, req, renderSite(org.id), extra, setId);
  });

  app.get('/v8/Organizations/:organizationId/Teams', async (request) => {
    const org = requireOrganization(store, (request.params as { organizationId: string }).organizationId);
    const query = request.query as Query;
    const req = pageRequest(query);
    const byDisplay = wildcard(query.displayName);
    const { items, setId } = listWithSet(store, org, 'Teams', query, org.teams, org.teamsById, (t) => !byDisplay || byDisplay(t.displayName));
    return page(`/v8/Organizations/${org.id}/Teams`, items, req, renderTeam(org.id), { displayName: query.displayName }, setId);
  });
}

import { FastifyInstance } from 'fastify';
import { Query, bool, isUuid, page, pageRequest } from '../http/paging';
import { invalid, notFound } from '../http/rest-error';
import { SimStore } from '../store/sim-store';
import { SimOrganization } from '../store/sim.types';

export function renderOrganization(org: SimOrganization): Record<string, unknown> {
  return {
    id: org.id,
    name: org.name,
    officeName: org.officeName,
    msid: org.msid,
    type: org.type,
    region: org.region,
    isExchangeOnline: org.isExchangeOnline,
    isSharePointOnline: org.isSharePointOnline,
    isTeamsOnline: org.isTeamsOnline,
    isTeamsChatsOnline: false,
    isBackedup: true,
    exchangeOnlineSettings: { useApplicationOnlyAuth: org.useApplicationOnlyAuth, officeOrganizationName: org.officeName },
    sharePointOnlineSettings: { useApplicationOnlyAuth: org.useApplicationOnlyAuth, officeOrganizationName: org.officeName },
    _links: {
      self: { href: `/v8/Organizations/${org.id}` },
      users: { href: `/v8/Organizations/${org.id}/Users` },
      groups: { href: `/v8/Organizations/${org.id}/Groups` },
      sites: { href: `/v8/Organizations/${org.id}/Sites` },
      teams: { href: `/v8/Organizations/${org.id}/Teams` },
      rbacRoles: { href: `/v8/Organizations/${org.id}/RbacRoles` },
    },
  };
}

export function requireOrganization(store: SimStore, id: string): SimOrganization {
  if (!isUuid(id)) throw invalid(`The value '${id}' is not valid for organizationId.`);
  const org = store.organization(id);
  if (!org) throw notFound(`Organization with ID '${id}'`);
  return org;
}

/** GET /v8/Organizations (a page object in v8; vb365.md) and GET /v8/Organizations/{organizationId}. */
export function registerOrganizationRoutes(app: FastifyInstance, store: SimStore): void {
  app.get('/v8/Organizations', async (request) => {
    const query = request.query as Query;
    const req = pageRequest(query);
    bool(query, 'extendedView');
    let orgs: SimOrganization[];
    if (query.msid !== undefined && query.msid !== '') {
      if (!isUuid(query.msid)) throw invalid(`The value '${query.msid}' is not valid for msid.`);
      const org = store.organizationByMsid(query.msid);
      orgs = org ? [org] : [];
    } else {
      orgs = [...store.organizations.values()];
    }
    return page('/v8/Organizations', orgs, req, renderOrganization, { msid: query.msid || undefined });
  });

  app.get('/v8/Organizations/:organizationId', async (request) => {
    const { organizationId } = request.params as { organizationId: string };
    return renderOrganization(requireOrganization(store, organizationId));
  });
}

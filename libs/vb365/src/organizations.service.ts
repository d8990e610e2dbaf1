import { Vb365Api } from './vb365-api';
import { Vb365Error } from './vb365.errors';
import { parseOrganization, parsePortalSettings, parseServiceInstance, schemas } from './vb365.parse';
import { RESTRestorePortalSettings, RESTServiceInstance, RestOrganization } from './vb365.types';

/** Server probes and the tenant → organization mapping (vb365.md "Organizations"). */
export class OrganizationsService {
  constructor(private readonly api: Vb365Api) {}

  async serviceInstance(): Promise<RESTServiceInstance> {
    return parseServiceInstance(await this.api.call({ method: 'GET', path: '/v8/ServiceInstance' }));
  }

  /** Read-only in REST v8: changing it takes Set-VBORestorePortalSettings on the server. */
  async restorePortalSettings(): Promise<RESTRestorePortalSettings> {
    return parsePortalSettings(await this.api.call({ method: 'GET', path: '/v8/RestorePortalSettings' }));
  }

  /** All organizations; accepts the v8 page object and the v7 plain array. */
  list(): AsyncGenerator<RestOrganization> {
    return this.api.paginate('/v8/Organizations', schemas.organization, { extendedView: false }, 'organization list');
  }

  async get(organizationId: string): Promise<RestOrganization> {
    return parseOrganization(await this.api.call({ method: 'GET', path: `/v8/Organizations/${encodeURIComponent(organizationId)}` }));
  }

  /** The organization of an Entra tenant, or undefined when the tenant is not added to VB365. */
  async byMsid(msid: string): Promise<RestOrganization | undefined> {
    const found: RestOrganization[] = [];
    for await (const org of this.api.paginate('/v8/Organizations', schemas.organization, { msid, extendedView: false }, 'organization list')) {
      // Older servers ignore unknown filters: check the msid ourselves.
      if (org.msid?.toLowerCase() === msid.toLowerCase()) found.push(org);
    }
    if (found.length > 1) {
      throw new Vb365Error('CONFLICT', `Several VB365 organizations have msid ${msid}.`, { hint: 'Remove the duplicate organization on the VB365 server.' });
    }
    return found[0];
  }
}

import { Vb365Api } from './vb365-api';
import { parseItems, parseMember, parseOperators, parseRole, parseRoles } from './vb365.parse';
import { RESTRbacItem, RESTRbacOperator, RESTRbacRole, RESTRbacRoleCreateModel } from './vb365.types';

export type MemberList = 'operators' | 'selectedItems' | 'excludedItems';

/** Strips response-only fields (`id`, `_links`) before sending members back to the server. */
function outgoing<T extends { id?: string }>(members: T[]): Omit<T, 'id'>[] {
  return members.map(({ id: _id, ...rest }) => rest);
}

/**
 * Restore operator roles (= VB365 RBAC roles, vb365.md "Restore operator roles"). Reconcile members with the
 * granular add/remove calls; PUT is used for name/description only because whether it replaces the arrays is
 * undocumented.
 */
export class RbacService {
  constructor(private readonly api: Vb365Api) {}

  async list(): Promise<RESTRbacRole[]> {
    return parseRoles(await this.api.call({ method: 'GET', path: '/v8/RbacRoles' }));
  }

  async listByOrganization(organizationId: string): Promise<RESTRbacRole[]> {
    return parseRoles(await this.api.call({ method: 'GET', path: `/v8/Organizations/${organizationId}/RbacRoles` }));
  }

  async get(roleId: string): Promise<RESTRbacRole> {
    return parseRole(await this.api.call({ method: 'GET', path: `/v8/RbacRoles/${roleId}` }));
  }

  /** Not retried on transient failure: a lost answer may hide a created role; callers re-read by name. */
  async create(organizationId: string, model: RESTRbacRoleCreateModel): Promise<RESTRbacRole> {
    const body = {
      organizationId,
      name: model.name,
      description: model.description,
      roleType: model.roleType,
      operators: outgoing(model.operators),
      selectedItems: outgoing(model.selectedItems),
      excludedItems: outgoing(model.excludedItems),
    };
    return parseRole(await this.api.call({ method: 'POST', path: `/v8/Organizations/${organizationId}/RbacRoles`, json: body }));
  }

  /** Renames / re-describes a role; the member arrays are left out on purpose (see class comment). */
  async update(role: Pick<RESTRbacRole, 'id'> & { organizationId: string; name: string; description: string; roleType: 'EntireOrganization' | 'SpecificObjects' }): Promise<void> {
    await this.api.call({
      method: 'PUT',
      path: `/v8/RbacRoles/${role.id}`,
      json: { organizationId: role.organizationId, name: role.name, description: role.description, roleType: role.roleType },
    });
  }

  async delete(roleId: string): Promise<void> {
    await this.api.call({ method: 'DELETE', path: `/v8/RbacRoles/${roleId}` });
  }

  async operators(roleId: string): Promise<RESTRbacOperator[]> {
    return parseOperators(await this.api.call({ method: 'GET', path: `/v8/RbacRoles/${roleId}/operators` }));
  }

  async selectedItems(roleId: string): Promise<RESTRbacItem[]> {
    return parseItems(await this.api.call({ method: 'GET', path: `/v8/RbacRoles/${roleId}/selectedItems` }));
  }

  async excludedItems(roleId: string): Promise<RESTRbacItem[]> {
    return parseItems(await this.api.call({ method: 'GET', path: `/v8/RbacRoles/${roleId}/excludedItems` }));
  }

  async member(roleId: string, list: MemberList, memberId: string): Promise<RESTRbacItem | undefined> {
    return parseMember(await this.api.call({ method: 'GET', path: `/v8/RbacRoles/${roleId}/${list}/${encodeURIComponent(memberId)}` }));
  }

  async addOperators(roleId: string, operators: RESTRbacOperator[]): Promise<void> {
    if (operators.length) await this.api.call({ method: 'POST', path: `/v8/RbacRoles/${roleId}/operators`, json: outgoing(operators) });
  }

  async addSelectedItems(roleId: string, items: RESTRbacItem[]): Promise<void> {
    if (items.length) await this.api.call({ method: 'POST', path: `/v8/RbacRoles/${roleId}/selectedItems`, json: outgoing(items) });
  }

  async addExcludedItems(roleId: string, items: RESTRbacItem[]): Promise<void> {
    if (items.length) await this.api.call({ method: 'POST', path: `/v8/RbacRoles/${roleId}/excludedItems`, json: outgoing(items) });
  }

  /** Removes members by their response `id` (DELETE ...?ids=a,b). */
  async remove(roleId: string, list: MemberList, ids: string[]): Promise<void> {
    if (ids.length) await this.api.call({ method: 'DELETE', path: `/v8/RbacRoles/${roleId}/${list}`, query: { ids: ids.join(',') } });
  }
}

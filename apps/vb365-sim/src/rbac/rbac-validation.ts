import { conflict, invalid, notFound } from '../http/rest-error';
import { RbacItem, RbacOperator, RoleType, SimOrganization, SimRole, SimUser } from '../store/sim.types';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The organization user list says Shared/Public, RbacUser says SharedMailbox/PublicMailbox (vb365.md). */
const rbacUserType = (t: SimUser['type']): 'User' | 'SharedMailbox' | 'PublicMailbox' =>
  t === 'Shared' ? 'SharedMailbox' : t === 'Public' ? 'PublicMailbox' : 'User';

function nestedId(entry: Json, key: string, index: number, list: string): string {
  const nested = entry[key];
  const id = isObj(nested) ? str(nested.id) : undefined;
  if (!id) throw invalid(`${list}[${index}].${key}.id is required.`);
  return id;
}

/** Resolves an operator from a request body against the organization's directory. */
export function resolveOperator(org: SimOrganization, entry: unknown, index: number): RbacOperator {
  if (!isObj(entry)) throw invalid(`operators[${index}] must be an object.`);
  const type = str(entry.type);
  if (type === 'User') {
    const id = nestedId(entry, 'user', index, 'operators');
    const u = org.usersById.get(id);
    if (!u) throw notFound(`User with ID '${id}' in organization '${org.name}'`);
    return { id: u.id, type: 'User', user: { id: u.id, displayName: u.displayName, name: u.name, type: rbacUserType(u.type) } };
  }
  if (type === 'Group') {
    const id = nestedId(entry, 'group', index, 'operators');
    const g = org.groupsById.get(id);
    if (!g) throw notFound(`Group with ID '${id}' in organization '${org.name}'`);
    return { id: g.id, type: 'Group', group: { id: g.id, displayName: g.displayName, name: g.name, type: g.type } };
  }
  throw invalid(`operators[${index}].type must be User or Group.`);
}

export function resolveItem(org: SimOrganization, entry: unknown, index: number, list: string): RbacItem {
  if (!isObj(entry)) throw invalid(`${list}[${index}] must be an object.`);
  const type = str(entry.type);
  switch (type) {
    case 'User': {
      const id = nestedId(entry, 'user', index, list);
      const u = org.usersById.get(id);
      if (!u) throw notFound(`User with ID '${id}' in organization '${org.name}'`);
      return { id: u.id, type: 'User', user: { id: u.id, displayName: u.displayName, name: u.name, type: rbacUserType(u.type) } };
    }
    case 'Group': {
      const id = nestedId(entry, 'group', index, list);
      const g = org.groupsById.get(id);
      if (!g) throw notFound(`Group with ID '${id}' in organization '${org.name}'`);
      return { id: g.id, type: 'Group', group: { id: g.id, displayName: g.displayName, name: g.name, type: g.type } };
    }
    case 'Site': {
      const id = nestedId(entry, 'site', index, list);
      const s = org.sitesById.get(id);
      if (!s) throw notFound(`Site with ID '${id}' in organization '${org.name}'`);
      return { id: s.id, type: 'Site', site: { ...s } };
    }
    case 'Team': {
      const id = nestedId(entry, 'team', index, list);
      const t = org.teamsById.get(id) ?? org.teamsById.get(id.toLowerCase());
      if (!t) throw notFound(`Team with ID '${id}' in organization '${org.name}'`);
      return { id: t.id, type: 'Team', team: { ...t } };
    }
    default:
      throw invalid(`${list}[${index}].type must be User, Group, Site or Team.`);
  }
}

function resolveList<T extends { id: string }>(raw: unknown, list: string, resolve: (entry: unknown, i: number) => T): T[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) throw invalid(`${list} must be an array.`);
  const out: T[] = [];
  raw.forEach((entry, i) => {
    const r = resolve(entry, i);
    if (out.some((o) => o.id === r.id)) throw invalid(`${list} contains '${r.id}' more than once.`);
    out.push(r);
  });
  return out;
}

/** Roles exist only for Office365/Hybrid organizations added with modern app-only auth (vb365.md "RBAC"). */
export function assertRbacCapable(org: SimOrganization): void {
  if (org.type === 'OnPremises') throw invalid(`Restore operator roles are not supported for on-premises organization '${org.name}'.`);
  if (!org.useApplicationOnlyAuth) {
    throw invalid(`Organization '${org.name}' must be added with modern app-only authentication to use restore operator roles.`);
  }
}

/** The state rules that hold for every role after any change. */
export function assertRoleConsistent(role: Pick<SimRole, 'roleType' | 'selectedItems' | 'excludedItems'>, asConflict: boolean): void {
  const fail = asConflict ? conflict : invalid;
  if (role.roleType === 'SpecificObjects' && role.selectedItems.length === 0) {
    throw fail('Roles of type SpecificObjects require at least one selected item.');
  }
  if (role.roleType === 'EntireOrganization' && role.selectedItems.length > 0) {
    throw fail('Selected items can be specified only for roles of type SpecificObjects.');
  }
  const both = role.selectedItems.find((s) => role.excludedItems.some((e) => e.id === s.id));
  if (both) throw fail(`The object '${both.id}' cannot be both selected and excluded.`);
  // EntireOrganization does not cover Teams (vb365.md), so excluding a team from it is meaningless.
  if (role.roleType === 'EntireOrganization' && role.excludedItems.some((e) => e.type === 'Team')) {
    throw fail('Teams cannot be excluded from roles of type EntireOrganization: the scope does not include Teams.');
  }
}

export interface RoleInput {
  name?: string;
  description?: string;
  roleType?: RoleType;
  operators?: RbacOperator[];
  selectedItems?: RbacItem[];
  excludedItems?: RbacItem[];
}

/** Parses a RESTRbacRoleCreateModel body, resolving every referenced object in the organization. */
export function parseRoleInput(org: SimOrganization, body: unknown): RoleInput {
  if (!isObj(body)) throw invalid('The request body must be a role object.');
  if (body.organizationId !== undefined && body.organizationId !== null && str(body.organizationId)?.toLowerCase() !== org.id) {
    throw invalid('organizationId in the body does not match the organization of the role.');
  }
  const roleTypeRaw = body.roleType;
  if (roleTypeRaw !== undefined && roleTypeRaw !== null && roleTypeRaw !== 'EntireOrganization' && roleTypeRaw !== 'SpecificObjects') {
    throw invalid(`The value '${String(roleTypeRaw)}' is not valid for roleType.`);
  }
  if (body.name !== undefined && typeof body.name !== 'string') throw invalid('name must be a string.');
  if (body.description !== undefined && body.description !== null && typeof body.description !== 'string') throw invalid('description must be a string.');
  return {
    name: str(body.name),
    description: str(body.description),
    roleType: roleTypeRaw === 'EntireOrganization' || roleTypeRaw === 'SpecificObjects' ? roleTypeRaw : undefined,
    operators: resolveList(body.operators, 'operators', (e, i) => resolveOperator(org, e, i)),
    selectedItems: resolveList(body.selectedItems, 'selectedItems', (e, i) => resolveItem(org, e, i, 'selectedItems')),
    excludedItems: resolveList(body.excludedItems, 'excludedItems', (e, i) => resolveItem(org, e, i, 'excludedItems')),
  };
}

import { FastifyInstance } from 'fastify';
import { conflict, invalid, notFound } from '../http/rest-error';
import { assertRoleConsistent, resolveItem, resolveOperator } from '../rbac/rbac-validation';
import { SimStore } from '../store/sim-store';
import { RbacItem, RbacOperator, SimRole } from '../store/sim.types';
import { requireOrganization } from './organizations.routes';
import { requireRole } from './rbac-roles.routes';

type ListName = 'operators' | 'selectedItems' | 'excludedItems';
type Member = RbacOperator | RbacItem;

const LISTS: readonly ListName[] = ['operators', 'selectedItems', 'excludedItems'];

function render(role: SimRole, list: ListName, m: Member): Record<string, unknown> {
  return { ...m, _links: { self: { href: `/v8/RbacRoles/${role.id}/${list}/${m.id}` }, role: { href: `/v8/RbacRoles/${role.id}` } } };
}

function withList(role: SimRole, list: ListName, members: Member[]): SimRole {
  switch (list) {
    case 'operators':
      return { ...role, operators: members as RbacOperator[] };
    case 'selectedItems':
      return { ...role, selectedItems: members as RbacItem[] };
    case 'excludedItems':
      return { ...role, excludedItems: members as RbacItem[] };
  }
}

/**
 * Granular member paths: GET / POST (add, 204) / DELETE ?ids=a,b (204) on operators, selectedItems and
 * excludedItems, plus the single-member GETs. Adding breaks no rule silently: a member already present or an
 * object that would become both selected and excluded answers 409 OperationConflict.
 */
export function registerRbacMemberRoutes(app: FastifyInstance, store: SimStore): void {
  for (const list of LISTS) {
    app.get(`/v8/RbacRoles/:roleId/${list}`, async (request) => {
      const role = requireRole(store, (request.params as { roleId: string }).roleId);
      return (role[list] as Member[]).map((m) => render(role, list, m));
    });

    app.get(`/v8/RbacRoles/:roleId/${list}/:memberId`, async (request) => {
      const { roleId, memberId } = request.params as { roleId: string; memberId: string };
      const role = requireRole(store, roleId);
      const m = (role[list] as Member[]).find((x) => x.id.toLowerCase() === memberId.toLowerCase());
      if (!m) throw notFound(`Object with ID '${memberId}' in ${list} of role '${role.name}'`);
      return render(role, list, m);
    });

    app.post(`/v8/RbacRoles/:roleId/${list}`, async (request, reply) => {
      const role = requireRole(store, (request.params as { roleId: string }).roleId);
      const org = requireOrganization(store, role.organizationId);
      if (!Array.isArray(request.body) || request.body.length === 0) throw invalid(`The request body must be a non-empty array of ${list}.`);
      const current = role[list] as Member[];
      const added: Member[] = request.body.map((entry, i) => (list === 'operators' ? resolveOperator(org, entry, i) : resolveItem(org, entry, i, list)));
      for (const m of added) {
        if (current.some((c) => c.id === m.id)) throw conflict(`The object '${m.id}' is already in ${list} of role '${role.name}'.`);
        if (added.filter((a) => a.id === m.id).length > 1) throw invalid(`The object '${m.id}' is listed more than once.`);
      }
      const next = withList(role, list, [...current, ...added]);
      assertRoleConsistent(next, true);
      store.roles.set(role.id, next);
      return reply.code(204).send();
    });

    app.delete(`/v8/RbacRoles/:roleId/${list}`, async (request, reply) => {
      const role = requireRole(store, (request.params as { roleId: string }).roleId);
      const raw = (request.query as { ids?: string }).ids;
      if (!raw) throw invalid('The ids parameter is required.');
      const ids = raw.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
      const current = role[list] as Member[];
      const missing = ids.find((id) => !current.some((c) => c.id.toLowerCase() === id));
      if (missing) throw notFound(`Object with ID '${missing}' in ${list} of role '${role.name}'`);
      const next = withList(role, list, current.filter((c) => !ids.includes(c.id.toLowerCase())));
      if (list === 'operators' && next.operators.length === 0) throw conflict('A role must keep at least one restore operator.');
      assertRoleConsistent(next, true);
      store.roles.set(role.id, next);
      return reply.code(204).send();
    });
  }
}

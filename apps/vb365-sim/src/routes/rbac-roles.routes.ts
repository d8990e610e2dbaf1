import { randomUUID } from 'node:crypto';
import { FastifyInstance } from 'fastify';
import { isUuid } from '../http/paging';
import { conflict, invalid, notFound } from '../http/rest-error';
import { assertRbacCapable, assertRoleConsistent, parseRoleInput } from '../rbac/rbac-validation';
import { SimStore } from '../store/sim-store';
import { SimRole } from '../store/sim.types';
import { requireOrganization } from './organizations.routes';

export function renderRole(role: SimRole): Record<string, unknown> {
  const self = `/v8/RbacRoles/${role.id}`;
  return {
    id: role.id,
    organizationId: role.organizationId,
    name: role.name,
    description: role.description,
    roleType: role.roleType,
    _links: {
      self: { href: self },
      organization: { href: `/v8/Organizations/${role.organizationId}` },
      operators: { href: `${self}/operators` },
      selectedItems: { href: `${self}/selectedItems` },
      excludedItems: { href: `${self}/excludedItems` },
    },
  };
}

export function requireRole(store: SimStore, roleId: string): SimRole {
  if (!isUuid(roleId)) throw invalid(`The value '${roleId}' is not valid for roleId.`);
  const role = store.roles.get(roleId.toLowerCase());
  if (!role) throw notFound(`Role with ID '${roleId}'`);
  return role;
}

function assertUniqueName(store: SimStore, organizationId: string, name: string, exceptId?: string): void {
  // Duplicate-name behaviour is undocumented (vb365.md); the simulator refuses, which is the stricter choice.
  for (const r of store.roles.values()) {
    if (r.organizationId === organizationId && r.id !== exceptId && r.name.toLowerCase() === name.toLowerCase()) {
      throw conflict(`A role with the name '${name}' already exists in this organization.`);
    }
  }
}

/** Role-level RBAC paths (vb365.md table): list, list by organization, create, get, PUT, DELETE. */
export function registerRbacRoleRoutes(app: FastifyInstance, store: SimStore): void {
  app.get('/v8/RbacRoles', async () => [...store.roles.values()].map(renderRole));

  app.get('/v8/Organizations/:organizationId/RbacRoles', async (request) => {
    const org = requireOrganization(store, (request.params as { organizationId: string }).organizationId);
    return [...store.roles.values()].filter((r) => r.organizationId === org.id).map(renderRole);
  });

  app.post('/v8/Organizations/:organizationId/RbacRoles', async (request, reply) => {
    const org = requireOrganization(store, (request.params as { organizationId: string }).organizationId);
    assertRbacCapable(org);
    const input = parseRoleInput(org, request.body);
    if (!input.name?.trim()) throw invalid('The role name is required.');
    if (!input.roleType) throw invalid('roleType is required (EntireOrganization or SpecificObjects).');
    if (!input.operators?.length) throw invalid('At least one restore operator is required.');
    const role: SimRole = {
      id: randomUUID(),
      organizationId: org.id,
      name: input.name.trim(),
      description: input.description ?? '',
      roleType: input.roleType,
      operators: input.operators,
      selectedItems: input.selectedItems ?? [],
      excludedItems: input.excludedItems ?? [],
    };
    assertRoleConsistent(role, false);
    assertUniqueName(store, org.id, role.name);
    store.roles.set(role.id, role);
    return reply.code(201).send(renderRole(role));
  });

  app.get('/v8/RbacRoles/:roleId', async (request) => renderRole(requireRole(store, (request.params as { roleId: string }).roleId)));

  // Whether PUT replaces the arrays is undocumented (vb365.md): here arrays present in the body replace the
  // role's, absent arrays are kept. The product uses PUT only for name/description.
  app.put('/v8/RbacRoles/:roleId', async (request, reply) => {
    const role = requireRole(store, (request.params as { roleId: string }).roleId);
    const org = requireOrganization(store, role.organizationId);
    const input = parseRoleInput(org, request.body);
    const next: SimRole = {
      ...role,
      name: input.name !== undefined ? input.name.trim() : role.name,
      description: input.description ?? role.description,
      roleType: input.roleType ?? role.roleType,
      operators: input.operators ?? role.operators,
      selectedItems: input.selectedItems ?? role.selectedItems,
      excludedItems: input.excludedItems ?? role.excludedItems,
    };
    if (!next.name) throw invalid('The role name is required.');
    if (next.operators.length === 0) throw invalid('At least one restore operator is required.');
    assertRoleConsistent(next, false);
    assertUniqueName(store, org.id, next.name, role.id);
    store.roles.set(role.id, next);
    return reply.code(204).send();
  });

  app.delete('/v8/RbacRoles/:roleId', async (request, reply) => {
    const role = requireRole(store, (request.params as { roleId: string }).roleId);
    store.roles.delete(role.id);
    return reply.code(204).send();
  });
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SimContext } from '../sim-context';
import { authorize, badRequest, notFound } from './graph-http';
import { lies, replicationNotFound, sendList, strip } from './graph-list';

interface AssignmentBody {
  principalId?: unknown;
  resourceId?: unknown;
  appRoleId?: unknown;
}

type Side = 'appRoleAssignedTo' | 'appRoleAssignments';

export function registerAppRoleAssignmentRoutes(app: FastifyInstance, ctx: SimContext): void {
  const list = (side: Side) => (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
    const c = authorize(ctx, req, reply, 'readAssignments');
    if (!c) return reply;
    if (!ctx.store.spById(c.tenant, req.params.id)) return notFound(reply, req.params.id);
    const field = side === 'appRoleAssignedTo' ? 'resourceId' : 'principalId';
    const items = [...c.tenant.assignments.values()]
      .filter((a) => a[field] === req.params.id && ctx.store.isVisible(c.tenant, a.createdAt))
      .map((a) => ({ ...strip(a), principalType: 'ServicePrincipal' }));
    return sendList(req, reply, 'appRoleAssignments', items);
  };

  // Both POST forms exist in Graph: on the resource (appRoleAssignedTo) and on the principal (appRoleAssignments).
  const create = (side: Side) => (req: FastifyRequest<{ Params: { id: string }; Body: AssignmentBody }>, reply: FastifyReply) => {
    const c = authorize(ctx, req, reply, 'writeAssignments');
    if (!c) return reply;
    const { principalId, resourceId, appRoleId } = req.body ?? {};
    if (typeof principalId !== 'string' || typeof resourceId !== 'string' || typeof appRoleId !== 'string') {
      return badRequest(reply, "Properties 'principalId', 'resourceId' and 'appRoleId' are required.");
    }
    if ((side === 'appRoleAssignedTo' ? resourceId : principalId) !== req.params.id) return badRequest(reply, 'The id in the path does not match the body.');
    for (const id of [principalId, resourceId]) {
      if (!c.tenant.servicePrincipals.has(id)) return notFound(reply, id);
      if (!ctx.store.spById(c.tenant, id)) return replicationNotFound(reply, id);
    }
    const principal = c.tenant.servicePrincipals.get(principalId)!;
    const resource = c.tenant.servicePrincipals.get(resourceId)!;
    if (!resource.appRoles.some((r) => r.id === appRoleId)) return badRequest(reply, 'Permission being assigned was not found on application.');
    const dup = [...c.tenant.assignments.values()].some((a) => a.principalId === principalId && a.resourceId === resourceId && a.appRoleId === appRoleId);
    if (dup) return badRequest(reply, 'Permission being assigned already exists on the object.');
    const a = ctx.store.createAssignment(c.tenant, principal, resource, appRoleId, c.actor);
    if (lies(ctx, c.tenant)) return notFound(reply, a.id);
    return reply.code(201).send({ ...strip(a), principalType: 'ServicePrincipal' });
  };

  const remove = (side: Side) => (req: FastifyRequest<{ Params: { id: string; aid: string } }>, reply: FastifyReply) => {
    const c = authorize(ctx, req, reply, 'writeAssignments');
    if (!c) return reply;
    const a = c.tenant.assignments.get(req.params.aid);
    const field = side === 'appRoleAssignedTo' ? 'resourceId' : 'principalId';
    if (!a || a[field] !== req.params.id || !ctx.store.isVisible(c.tenant, a.createdAt)) return notFound(reply, req.params.aid);
    ctx.store.deleteAssignment(c.tenant, a, c.actor);
    return reply.code(204).send();
  };

  for (const side of ['appRoleAssignedTo', 'appRoleAssignments'] as const) {
    app.get(`/v1.0/servicePrincipals/:id/${side}`, list(side));
    app.post(`/v1.0/servicePrincipals/:id/${side}`, create(side));
    app.delete(`/v1.0/servicePrincipals/:id/${side}/:aid`, remove(side));
  }
}

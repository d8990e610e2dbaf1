import type { FastifyInstance, FastifyReply } from 'fastify';
import type { PermissionGrant, Tenant } from '../directory/directory.types';
import type { SimContext } from '../sim-context';
import { authorize, badRequest, notFound, sendGraphError } from './graph-http';
import { lies, replicationNotFound, sendList, strip } from './graph-list';
import { visibleGrants } from './service-principals.routes';

interface GrantBody {
  clientId?: unknown;
  resourceId?: unknown;
  consentType?: unknown;
  principalId?: unknown;
  scope?: unknown;
}

/** Resolves a referenced SP: absent → 400 like Graph; present but not replicated yet → 404 (contract §5). */
function referenced(ctx: SimContext, t: Tenant, id: unknown, prop: string, reply: FastifyReply): true | FastifyReply {
  if (typeof id !== 'string' || !t.servicePrincipals.has(id)) {
    return badRequest(reply, `Invalid value specified for property '${prop}' of resource 'OAuth2PermissionGrant'.`);
  }
  return ctx.store.spById(t, id) ? true : replicationNotFound(reply, id);
}

export function registerGrantRoutes(app: FastifyInstance, ctx: SimContext): void {
  app.get('/v1.0/oauth2PermissionGrants', (req, reply) => {
    const c = authorize(ctx, req, reply, 'readGrants');
    if (!c) return reply;
    return sendList(req, reply, 'oauth2PermissionGrants', visibleGrants(ctx, c.tenant));
  });

  app.get<{ Params: { id: string } }>('/v1.0/oauth2PermissionGrants/:id', (req, reply) => {
    const c = authorize(ctx, req, reply, 'readGrants');
    if (!c) return reply;
    const g = c.tenant.grants.get(req.params.id);
    return g && ctx.store.isVisible(c.tenant, g.createdAt) ? reply.send(strip(g)) : notFound(reply, req.params.id);
  });

  app.post<{ Body: GrantBody }>('/v1.0/oauth2PermissionGrants', (req, reply) => {
    const c = authorize(ctx, req, reply, 'writeGrants');
    if (!c) return reply;
    const b = req.body ?? {};
    const consentType = b.consentType;
    if (consentType !== 'AllPrincipals' && consentType !== 'Principal') return badRequest(reply, "Invalid value specified for property 'consentType'.");
    if (typeof b.scope !== 'string') return badRequest(reply, "Property 'scope' is required.");
    const principalId = typeof b.principalId === 'string' ? b.principalId : null;
    if (consentType === 'Principal' && !principalId) return badRequest(reply, "Property 'principalId' is required when consentType is 'Principal'.");
    for (const [id, prop] of [[b.clientId, 'clientId'], [b.resourceId, 'resourceId']] as const) {
      const ok = referenced(ctx, c.tenant, id, prop, reply);
      if (ok !== true) return ok;
    }
    const clientId = b.clientId as string;
    const resourceId = b.resourceId as string;
    const dup = [...c.tenant.grants.values()].some(
      (g) => g.clientId === clientId && g.resourceId === resourceId && g.consentType === consentType && (consentType === 'AllPrincipals' || g.principalId === principalId),
    );
    if (dup) return sendGraphError(reply, 409, 'Request_MultipleObjectsWithSameKeyValue', 'Permission entry already exists.');
    const grant = ctx.store.createGrant(c.tenant, { clientId, resourceId, consentType, principalId: consentType === 'AllPrincipals' ? null : principalId, scope: b.scope }, c.actor);
    if (lies(ctx, c.tenant)) return notFound(reply, grant.id);
    return reply.code(201).send(strip(grant));
  });

  app.patch<{ Params: { id: string }; Body: { scope?: unknown } }>('/v1.0/oauth2PermissionGrants/:id', (req, reply) => {
    const c = authorize(ctx, req, reply, 'writeGrants');
    if (!c) return reply;
    const g: PermissionGrant | undefined = c.tenant.grants.get(req.params.id);
    if (!g || !ctx.store.isVisible(c.tenant, g.createdAt)) return notFound(reply, req.params.id);
    const scope = req.body?.scope;
    if (typeof scope !== 'string') return badRequest(reply, "Property 'scope' is required.");
    // PATCH replaces the scope string (contract §4): callers must send the union.
    ctx.store.updateGrant(c.tenant, g, scope, c.actor);
    return reply.code(204).send();
  });

  app.delete<{ Params: { id: string } }>('/v1.0/oauth2PermissionGrants/:id', (req, reply) => {
    const c = authorize(ctx, req, reply, 'writeGrants');
    if (!c) return reply;
    const g = c.tenant.grants.get(req.params.id);
    if (!g || !ctx.store.isVisible(c.tenant, g.createdAt)) return notFound(reply, req.params.id);
    ctx.store.deleteGrant(c.tenant, g, c.actor);
    return reply.code(204).send();
  });
}

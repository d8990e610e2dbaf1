import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Tenant } from '../directory/directory.types';
import type { SimContext } from '../sim-context';
import { GraphCaller, authorize, badRequest, notFound, sendGraphError } from './graph-http';
import { lies, sendList, spView, strip } from './graph-list';
import { select, Query } from './odata';

const KEYED = /^servicePrincipals\(appId='([^']+)'\)$/;

function conflict(reply: FastifyReply): FastifyReply {
  return sendGraphError(reply, 409, 'Request_MultipleObjectsWithSameKeyValue', 'Another object with the same value for property servicePrincipalNames already exists.', [
    { code: 'ObjectConflict', message: 'Another object with the same value for property servicePrincipalNames already exists.', target: 'servicePrincipalNames' },
  ]);
}

function createSp(ctx: SimContext, c: GraphCaller, appId: string, reply: FastifyReply): FastifyReply | undefined {
  const app = ctx.store.findApp(appId);
  if (!app) return badRequest(reply, `The appId '${appId}' of the service principal does not reference a valid application object.`);
  const sp = ctx.store.createSp(c.tenant, app, c.actor);
  if (lies(ctx, c.tenant)) return notFound(reply, sp.id);
  return reply.code(201).send(spView(sp));
}

export function registerServicePrincipalRoutes(app: FastifyInstance, ctx: SimContext): void {
  app.get('/v1.0/servicePrincipals', (req, reply) => {
    const c = authorize(ctx, req, reply, 'readServicePrincipals');
    if (!c) return reply;
    const visible = [...c.tenant.servicePrincipals.values()].filter((sp) => ctx.store.isVisible(c.tenant, sp.createdAt));
    return sendList(req, reply, 'servicePrincipals', visible.map(spView));
  });

  app.post<{ Body: { appId?: unknown } }>('/v1.0/servicePrincipals', (req, reply) => {
    const c = authorize(ctx, req, reply, 'writeServicePrincipals');
    if (!c) return reply;
    const appId = req.body?.appId;
    if (typeof appId !== 'string') return badRequest(reply, "Property 'appId' is required.");
    // Uniqueness is checked against the primary copy: a not-yet-replicated SP still conflicts.
    if (ctx.store.spByAppId(c.tenant, appId, false)) return conflict(reply);
    return createSp(ctx, c, appId, reply);
  });

  // `servicePrincipals(appId='...')` arrives as one path segment; static routes above take precedence.
  const keyed = (need: 'readServicePrincipals' | 'writeServicePrincipals') => (req: FastifyRequest<{ Params: { seg: string } }>, reply: FastifyReply) => {
    const appId = KEYED.exec(req.params.seg)?.[1];
    if (!appId) return sendGraphError(reply, 400, 'BadRequest', `Resource not found for the segment '${req.params.seg}'.`);
    const c = authorize(ctx, req, reply, need);
    if (!c) return reply;
    return { c, appId };
  };

  app.get<{ Params: { seg: string } }>('/v1.0/:seg', (req, reply) => {
    const k = keyed('readServicePrincipals')(req, reply);
    if (!k || !('c' in k)) return reply;
    const sp = ctx.store.spByAppId(k.c.tenant, k.appId);
    if (!sp) return notFound(reply, k.appId);
    return reply.send(select(spView(sp), (req.query as Query)['$select']));
  });

  app.patch<{ Params: { seg: string } }>('/v1.0/:seg', (req, reply) => {
    const k = keyed('writeServicePrincipals')(req, reply);
    if (!k || !('c' in k)) return reply;
    if (ctx.store.spByAppId(k.c.tenant, k.appId, false)) return reply.code(204).send();
    const prefer = String(req.headers['prefer'] ?? '').toLowerCase();
    if (!prefer.includes('create-if-missing')) return notFound(reply, k.appId);
    return createSp(ctx, k.c, k.appId, reply) ?? reply;
  });

  app.get<{ Params: { id: string } }>('/v1.0/servicePrincipals/:id', (req, reply) => {
    const c = authorize(ctx, req, reply, 'readServicePrincipals');
    if (!c) return reply;
    const sp = ctx.store.spById(c.tenant, req.params.id);
    return sp ? reply.send(select(spView(sp), (req.query as Query)['$select'])) : notFound(reply, req.params.id);
  });

  app.delete<{ Params: { id: string } }>('/v1.0/servicePrincipals/:id', (req, reply) => {
    const c = authorize(ctx, req, reply, 'writeServicePrincipals');
    if (!c) return reply;
    const sp = ctx.store.spById(c.tenant, req.params.id);
    if (!sp) return notFound(reply, req.params.id);
    ctx.store.deleteSp(c.tenant, sp, c.actor);
    return reply.code(204).send();
  });

  app.get<{ Params: { id: string } }>('/v1.0/servicePrincipals/:id/oauth2PermissionGrants', (req, reply) => {
    const c = authorize(ctx, req, reply, 'readGrants');
    if (!c) return reply;
    if (!ctx.store.spById(c.tenant, req.params.id)) return notFound(reply, req.params.id);
    return sendList(req, reply, 'oauth2PermissionGrants', visibleGrants(ctx, c.tenant).filter((g) => g.clientId === req.params.id));
  });
}

export function visibleGrants(ctx: SimContext, t: Tenant): Array<ReturnType<typeof strip<import('../directory/directory.types').PermissionGrant>>> {
  return [...t.grants.values()].filter((g) => ctx.store.isVisible(t, g.createdAt)).map((g) => strip(g));
}

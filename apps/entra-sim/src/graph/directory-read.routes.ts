import type { FastifyInstance } from 'fastify';
import type { SimContext } from '../sim-context';
import { authorize, notFound } from './graph-http';
import { sendList } from './graph-list';
import { Query, select } from './odata';

export function registerDirectoryReadRoutes(app: FastifyInstance, ctx: SimContext): void {
  app.get('/v1.0/organization', (req, reply) => {
    const c = authorize(ctx, req, reply, 'readOrganization');
    if (!c) return reply;
    const t = c.tenant;
    const org = {
      id: t.id,
      displayName: t.displayName,
      tenantType: 'AAD',
      verifiedDomains: [{ name: t.domain, type: 'Managed', isDefault: true, isInitial: true, capabilities: 'Email, OfficeCommunicationsOnline' }],
    };
    return sendList(req, reply, 'organization', [org]);
  });

  app.get('/v1.0/users', (req, reply) => {
    const c = authorize(ctx, req, reply, 'readUsers');
    if (!c) return reply;
    return sendList(req, reply, 'users', ctx.store.users(c.tenant));
  });

  app.get<{ Params: { id: string } }>('/v1.0/users/:id', (req, reply) => {
    const c = authorize(ctx, req, reply, 'readUsers');
    if (!c) return reply;
    const key = req.params.id.toLowerCase();
    const u = ctx.store.users(c.tenant).find((x) => x.id === key || x.userPrincipalName.toLowerCase() === key);
    return u ? reply.send(select(u, (req.query as Query)['$select'])) : notFound(reply, req.params.id);
  });

  app.get('/v1.0/groups', (req, reply) => {
    const c = authorize(ctx, req, reply, 'readGroups');
    if (!c) return reply;
    return sendList(req, reply, 'groups', c.tenant.groups);
  });

  app.get<{ Params: { id: string } }>('/v1.0/groups/:id', (req, reply) => {
    const c = authorize(ctx, req, reply, 'readGroups');
    if (!c) return reply;
    const g = c.tenant.groups.find((x) => x.id === req.params.id);
    return g ? reply.send(select(g, (req.query as Query)['$select'])) : notFound(reply, req.params.id);
  });

  app.get('/v1.0/auditLogs/directoryAudits', (req, reply) => {
    const c = authorize(ctx, req, reply, 'readAudits');
    if (!c) return reply;
    // Graph returns directory audits newest first.
    return sendList(req, reply, 'auditLogs/directoryAudits', [...c.tenant.audits].reverse());
  });
}

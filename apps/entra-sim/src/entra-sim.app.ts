import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SimTls, createSimServer, listenSim } from '@app/sim-kit';
import { registerAdminRoutes } from './admin/admin.routes';
import { registerAppRoleAssignmentRoutes } from './graph/app-role-assignments.routes';
import { registerDirectoryReadRoutes } from './graph/directory-read.routes';
import { registerGrantRoutes } from './graph/grants.routes';
import { graphErrorBody, stampRequestIds } from './graph/graph-http';
import { registerServicePrincipalRoutes } from './graph/service-principals.routes';
import { registerSubscriptionAdminRoutes, registerSubscriptionRoutes, subscriptionStore } from './graph/subscriptions.routes';
import { aad } from './identity/aad-error';
import { registerAdminConsentRoutes } from './identity/admin-consent.routes';
import { registerIdentityRoutes, sendAadError } from './identity/identity.routes';
import { decodeJwt } from './identity/jwt.util';
import { RealismTarget, installRealism } from './realism/realism.hook';
import { SimContext } from './sim-context';

export interface EntraSimOptions {
  host: string;
  identityPort: number;
  graphPort: number;
  tls: SimTls;
}

export interface EntraSim {
  ctx: SimContext;
  urls: { identity: string; graph: string };
  close(): Promise<void>;
}

function identityTarget(ctx: SimContext, req: FastifyRequest): RealismTarget | undefined {
  const seg = req.url.split('/')[1] ?? '';
  const tenant = ctx.store.findTenant(decodeURIComponent(seg));
  if (!tenant) return undefined;
  const body = req.body as Record<string, unknown> | undefined;
  const q = req.query as Record<string, unknown>;
  const appId = typeof body?.['client_id'] === 'string' ? body['client_id'] : typeof q['client_id'] === 'string' ? q['client_id'] : '';
  return { tenant, appId };
}

/** Routes realism by the token's tid/appid; the signature is checked later by the route itself. */
function graphTarget(ctx: SimContext, req: FastifyRequest): RealismTarget | undefined {
  const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const p = token ? decodeJwt(token)?.payload : undefined;
  const tenant = typeof p?.['tid'] === 'string' ? ctx.store.findTenant(p['tid']) : undefined;
  return tenant ? { tenant, appId: typeof p?.['appid'] === 'string' ? p['appid'] : '' } : undefined;
}

export async function startEntraSim(opts: EntraSimOptions): Promise<EntraSim> {
  const ctx = new SimContext();
  const identity: FastifyInstance = createSimServer({ name: 'entra-sim', tls: opts.tls });
  const graph: FastifyInstance = createSimServer({ name: 'entra-sim', tls: opts.tls });
  await identity.register(formbody);
  let graphUrl = '';

  installRealism(identity, ctx, {
    resolve: (req) => identityTarget(ctx, req),
    tokenBucket: false,
    sendThrottled: (reply, s) => void sendAadError(reply.header('Retry-After', String(s)), aad.throttled()),
    sendUnavailable: (reply, status) => void sendAadError(reply, aad.unavailable(status === 500 ? 500 : 503)),
  });
  registerIdentityRoutes(identity, ctx, () => graphUrl);
  registerAdminConsentRoutes(identity, ctx);
  registerAdminRoutes(identity, ctx);

  graph.addHook('onRequest', async (req, reply) => stampRequestIds(req, reply));
  installRealism(graph, ctx, {
    resolve: (req) => graphTarget(ctx, req),
    tokenBucket: true,
    sendThrottled: (reply, s, target) =>
      void reply
        .code(429)
        .header('Retry-After', String(s))
        .header('x-ms-throttle-scope', `Tenant_Application/ReadWrite/${target.appId}/${target.tenant.id}`)
        .header('x-ms-throttle-information', 'ResourceUnitLimitExceeded')
        .send(graphErrorBody(reply, 'TooManyRequests', 'Too many requests.')),
    sendUnavailable: (reply, status) =>
      void reply.code(status).send(graphErrorBody(reply, status === 503 ? 'serviceNotAvailable' : status === 504 ? 'UnknownError' : 'generalException', 'The service is temporarily unavailable.')),
  });
  registerServicePrincipalRoutes(graph, ctx);
  registerGrantRoutes(graph, ctx);
  registerAppRoleAssignmentRoutes(graph, ctx);
  registerDirectoryReadRoutes(graph, ctx);
  registerSubscriptionRoutes(graph, ctx);
  registerAdminRoutes(graph, ctx);
  registerSubscriptionAdminRoutes(graph, ctx);
  // Change-notification subscriptions are cleared with the rest of the state.
  for (const server of [identity, graph])
    server.addHook('onResponse', async (req) => {
      if (req.method === 'POST' && req.url === '/_sim/reset') subscriptionStore(ctx).clear();
    });

  const identityUrl = await listenSim(identity, opts.host, opts.identityPort);
  graphUrl = await listenSim(graph, opts.host, opts.graphPort);
  return {
    ctx,
    urls: { identity: identityUrl, graph: graphUrl },
    close: async () => {
      await Promise.all([identity.close(), graph.close()]);
    },
  };
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Tenant } from '../directory/directory.types';
import { GRAPH_APP_ID, GRAPH_RESOURCE } from '../directory/graph-permissions.constants';
import type { SimContext } from '../sim-context';
import { AadError, aad, aadErrorBody } from './aad-error';
import { ClientCredentialsForm, authenticateClient } from './client-auth.service';

type TenantParams = { Params: { tenant: string } };

export function sendAadError(reply: FastifyReply, e: AadError, req?: FastifyRequest): FastifyReply {
  const cid = req?.headers['client-request-id'];
  return reply.code(e.status).type('application/json; charset=utf-8').send(aadErrorBody(e, typeof cid === 'string' ? cid : undefined));
}

/** `<resource>/.default` for exactly one resource we serve (contract §2); anything else is invalid_scope. */
function validScope(scope: string | undefined, graphBase: string): boolean {
  const parts = (scope ?? '').split(' ').filter(Boolean);
  if (parts.length !== 1) return false;
  const m = /^(.+)\/\.default$/.exec(parts[0]!);
  return !!m && [GRAPH_RESOURCE, GRAPH_APP_ID, graphBase].includes(m[1]!.replace(/\/$/, '').toLowerCase());
}

export function registerIdentityRoutes(app: FastifyInstance, ctx: SimContext, graphBase: () => string): void {
  const withTenant = (req: FastifyRequest<TenantParams>, reply: FastifyReply): Tenant | undefined => {
    const t = ctx.store.findTenant(req.params.tenant);
    if (!t) sendAadError(reply, aad.tenantNotFound(req.params.tenant), req);
    return t;
  };

  app.get<TenantParams>('/:tenant/v2.0/.well-known/openid-configuration', (req, reply) => {
    const t = withTenant(req, reply);
    if (!t) return reply;
    const base = `https://${req.host}`;
    const seg = req.params.tenant;
    // MSAL requires all four of these and checks that issuer has the authority's scheme, host and port.
    return reply.send({
      authorization_endpoint: `${base}/${seg}/oauth2/v2.0/authorize`,
      token_endpoint: `${base}/${seg}/oauth2/v2.0/token`,
      issuer: `${base}/${t.id}/v2.0`,
      jwks_uri: `${base}/${seg}/discovery/v2.0/keys`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      tenant_region_scope: 'EU',
      cloud_instance_name: 'microsoftonline.com',
    });
  });

  app.get<TenantParams>('/:tenant/discovery/v2.0/keys', (req, reply) => {
    const t = withTenant(req, reply);
    if (!t) return reply;
    return reply.send(ctx.signer.jwks());
  });

  app.post<TenantParams & { Body: ClientCredentialsForm & { grant_type?: string; scope?: string } }>('/:tenant/oauth2/v2.0/token', (req, reply) => {
    const t = withTenant(req, reply);
    if (!t) return reply;
    const form = req.body ?? {};
    if (form.grant_type !== 'client_credentials') return sendAadError(reply, aad.unsupportedGrant(), req);
    if (!validScope(form.scope, graphBase().toLowerCase())) return sendAadError(reply, aad.invalidScope(form.scope ?? ''), req);
    const base = `https://${req.host}`.toLowerCase();
    const endpoints = [req.params.tenant, t.id, t.domain].map((s) => `${base}/${s.toLowerCase()}/oauth2/v2.0/token`);
    const auth = authenticateClient(ctx.store, t, form, endpoints);
    if ('error' in auth) return sendAadError(reply, auth.error, req);
    const sp = ctx.store.spByAppId(t, auth.app.appId, false);
    const accessToken = ctx.signer.issue({ aud: GRAPH_RESOURCE, tid: t.id, appid: auth.app.appId, roles: ctx.store.rolesFor(t, auth.app.appId), oid: sp?.id ?? null, ttlSeconds: 3599 });
    return reply.send({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: accessToken });
  });
}

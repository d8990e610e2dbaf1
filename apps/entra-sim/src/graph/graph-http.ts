import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../directory/directory.store';
import type { Tenant } from '../directory/directory.types';
import { GRAPH_APP_ID, GRAPH_RESOURCE, ROUTE_ROLES, RouteRoleKey } from '../directory/graph-permissions.constants';
import type { AccessTokenClaims } from '../identity/token-signer';
import type { SimContext } from '../sim-context';

export interface GraphErrorDetail {
  code: string;
  message: string;
  target?: string;
}

/** Sets request-id and echoes client-request-id on every Graph response (contract §5). */
export function stampRequestIds(req: FastifyRequest, reply: FastifyReply): void {
  const echo = req.headers['client-request-id'];
  const requestId = randomUUID();
  void reply.header('request-id', requestId);
  void reply.header('client-request-id', typeof echo === 'string' ? echo : requestId);
}

/** Graph's error body: the key is exactly `innerError` (the JS client reads it). */
export function graphErrorBody(reply: FastifyReply, code: string, message: string, details?: GraphErrorDetail[]): Record<string, unknown> {
  return {
    error: {
      code,
      message,
      ...(details ? { details } : {}),
      innerError: {
        date: new Date().toISOString().replace(/\.\d+Z$/, ''),
        'request-id': String(reply.getHeader('request-id') ?? ''),
        'client-request-id': String(reply.getHeader('client-request-id') ?? ''),
      },
    },
  };
}

export function sendGraphError(reply: FastifyReply, status: number, code: string, message: string, details?: GraphErrorDetail[]): FastifyReply {
  return reply.code(status).type('application/json').send(graphErrorBody(reply, code, message, details));
}

export const notFound = (reply: FastifyReply, id: string): FastifyReply =>
  sendGraphError(reply, 404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);

export const badRequest = (reply: FastifyReply, message: string): FastifyReply => sendGraphError(reply, 400, 'Request_BadRequest', message);

export interface GraphCaller {
  tenant: Tenant;
  claims: AccessTokenClaims;
  actor: Actor;
}

/** Accepted token audiences: Graph's resource URI and its appId (both appear in real tokens). */
const AUDIENCES = new Set([GRAPH_RESOURCE, `${GRAPH_RESOURCE}/`, GRAPH_APP_ID]);

/** Bearer-token check and role authorization for one Graph route; on failure the reply is already sent. */
export function authorize(ctx: SimContext, req: FastifyRequest, reply: FastifyReply, need: RouteRoleKey): GraphCaller | undefined {
  const auth = req.headers.authorization ?? '';
  const token = /^Bearer (.+)$/i.exec(auth)?.[1];
  if (!token) {
    sendGraphError(reply, 401, 'InvalidAuthenticationToken', 'Access token is empty.');
    return undefined;
  }
  const claims = ctx.signer.verify(token);
  if (!claims) {
    sendGraphError(reply, 401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience or expired token.');
    return undefined;
  }
  const tenant = ctx.store.findTenant(claims.tid);
  if (!AUDIENCES.has(claims.aud) || !tenant) {
    sendGraphError(reply, 401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.');
    return undefined;
  }
  const sp = ctx.store.spByAppId(tenant, claims.appid, false);
  if (!sp) {
    sendGraphError(reply, 401, 'Authorization_IdentityNotFound', 'The identity of the calling application could not be established.');
    return undefined;
  }
  const allowed: readonly string[] = ROUTE_ROLES[need];
  if (!claims.roles.some((r) => allowed.includes(r))) {
    sendGraphError(reply, 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    return undefined;
  }
  return { tenant, claims, actor: { appId: claims.appid, displayName: sp.displayName, servicePrincipalId: sp.id } };
}

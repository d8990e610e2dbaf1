import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServicePrincipal, Tenant } from '../directory/directory.types';
import type { SimContext } from '../sim-context';
import { sendGraphError } from './graph-http';
import { Query, matches, page, parseFilter } from './odata';

/** Filters and pages a list; an unsupported `$filter` answers 400 like Graph does. */
export function sendList<T extends object>(req: FastifyRequest, reply: FastifyReply, entity: string, items: T[]): FastifyReply {
  const q = req.query as Query;
  const clauses = parseFilter(q['$filter']);
  if (!clauses) return sendGraphError(reply, 400, 'Request_UnsupportedQuery', `Unsupported or invalid query filter clause specified: '${q['$filter'] ?? ''}'.`);
  return reply.send(page(req, entity, items.filter((i) => matches(i, clauses))));
}

export function spView(sp: ServicePrincipal): Record<string, unknown> {
  return {
    id: sp.id,
    appId: sp.appId,
    displayName: sp.displayName,
    servicePrincipalType: 'Application',
    accountEnabled: true,
    appRoles: sp.appRoles,
    oauth2PermissionScopes: sp.oauth2PermissionScopes,
    servicePrincipalNames: [sp.appId],
  };
}

export function strip<T extends { createdAt: number }>(o: T): Omit<T, 'createdAt'> {
  const { createdAt: _c, ...rest } = o;
  return rest;
}

/** The write-applied-but-404 fault (contract §5): the write happened, the answer says it did not. */
export function lies(ctx: SimContext, t: Tenant): boolean {
  const rate = ctx.faults.effective(t.id).writeAppliedButNotFoundRate ?? 0;
  return rate > 0 && Math.random() < rate;
}

export const replicationNotFound = (reply: FastifyReply, id: string): FastifyReply =>
  sendGraphError(reply, 404, 'Directory_ObjectNotFound', `Unable to read the company information from the directory. Object '${id}' not found.`);

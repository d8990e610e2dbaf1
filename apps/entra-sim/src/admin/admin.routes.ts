import type { FastifyInstance } from 'fastify';
import { seedSchema } from '../directory/seed.schema';
import { applySeed } from '../directory/seed.service';
import { spView, strip } from '../graph/graph-list';
import type { SimContext } from '../sim-context';
import { faultsBodySchema } from '../realism/entra-faults';

/** The /_sim admin API for tests and benchmarks, mounted on both listeners (they share one state). */
export function registerAdminRoutes(app: FastifyInstance, ctx: SimContext): void {
  app.post('/_sim/seed', (req, reply) => {
    const parsed = seedSchema.safeParse(req.body ?? {});
    if (!parsed.success) return reply.code(400).send({ error: 'invalid seed', issues: parsed.error.issues });
    return reply.send(applySeed(ctx.store, parsed.data));
  });

  app.post('/_sim/reset', (_req, reply) => {
    ctx.reset();
    return reply.code(204).send();
  });

  app.get<{ Querystring: { tenant?: string } }>('/_sim/stats', (req, reply) => {
    const tenants: Record<string, unknown> = {};
    const only = req.query.tenant ? ctx.store.findTenant(req.query.tenant) : undefined;
    for (const t of only ? [only] : ctx.store.tenants.values()) {
      const s = t.stats;
      const wrote = Object.values(s.writes).some((n) => n > 0);
      // With 10,000 tenants, untouched ones are left out unless asked for by name.
      if (only || s.requests > 0 || wrote || s.retryAfterViolations > 0) tenants[t.id] = s;
    }
    const retryAfterViolationLog = only ? ctx.violationLog.filter((v) => v.tenantId === only.id) : ctx.violationLog;
    return reply.send({ tenantCount: ctx.store.tenants.size, tenants, retryAfterViolationLog });
  });

  app.put('/_sim/faults', (req, reply) => {
    const parsed = faultsBodySchema.safeParse(req.body ?? {});
    if (!parsed.success) return reply.code(400).send({ error: 'invalid faults', issues: parsed.error.issues });
    ctx.faults.clear();
    if (parsed.data.global) ctx.faults.set(parsed.data.global);
    for (const [tenant, s] of Object.entries(parsed.data.tenants ?? {})) ctx.faults.set(s, tenant);
    return reply.send(ctx.faults.describe());
  });

  app.get('/_sim/faults', (_req, reply) => reply.send(ctx.faults.describe()));

  app.get<{ Params: { tenant: string } }>('/_sim/state/:tenant', (req, reply) => {
    const t = ctx.store.findTenant(req.params.tenant);
    if (!t) return reply.code(404).send({ error: 'unknown tenant' });
    return reply.send({
      id: t.id,
      domain: t.domain,
      graphServicePrincipalId: t.graphSpId,
      servicePrincipals: [...t.servicePrincipals.values()].map(spView),
      grants: [...t.grants.values()].map((g) => strip(g)),
      appRoleAssignments: [...t.assignments.values()].map((a) => strip(a)),
      audits: t.audits,
      stats: t.stats,
    });
  });
}

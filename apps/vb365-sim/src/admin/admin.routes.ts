import { FaultPlan } from '@app/sim-kit';
import { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { RestoreGenerator } from '../audit/restore-generator';
import { renderRole } from '../routes/rbac-roles.routes';
import { TokenService } from '../routes/token.service';
import { applySeed } from '../store/seed.service';
import { seedInput } from '../store/seed.schema';
import { SimStore } from '../store/sim-store';
import { TrafficSettings } from './traffic-control';
import { TrafficStats } from './traffic-stats';

const rate = z.number().min(0).max(1);
const faultSettings = z
  .object({
    latencyMs: z.number().min(0).optional(),
    jitterMs: z.number().min(0).optional(),
    throttleRate: rate.optional(),
    retryAfterSeconds: z.tuple([z.number().min(0), z.number().min(0)]).optional(),
    error500Rate: rate.optional(),
    error503Rate: rate.optional(),
    error504Rate: rate.optional(),
    resetRate: rate.optional(),
  })
  .strict();

const faultsInput = z
  .object({
    global: faultSettings.optional(),
    /** Per organization id: overrides the global settings field by field. */
    organizations: z.record(faultSettings).optional(),
    /** Tokens issued from now on live this long ("tokens expiring early"). */
    tokenLifetimeSeconds: z.number().int().min(1).optional(),
    /** Expire every token issued so far, now. */
    expireTokensNow: z.boolean().optional(),
    maxConcurrent: z.number().int().min(0).optional(),
    changeFeedRetention: z.number().int().min(1).optional(),
  })
  .strict();

const generatorInput = z
  .object({
    sessionsPerMinute: z.number().min(0).optional(),
    workingMs: z.number().int().min(0).optional(),
    eventsPerSession: z.number().int().min(1).max(100).optional(),
    portalShare: rate.optional(),
    seed: z.number().int().optional(),
  })
  .strict();

const createSessionsInput = z.object({ count: z.number().int().min(1).max(100_000), working: z.boolean().default(false), organizationId: z.string().optional() });

function parse<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, body: unknown, reply: FastifyReply): T | undefined {
  const r = schema.safeParse(body ?? {});
  if (r.success) return r.data;
  void reply.code(400).send({ error: 'invalid admin request', issues: r.error.issues });
  return undefined;
}

export interface AdminDeps {
  store: SimStore;
  tokens: TokenService;
  faults: FaultPlan;
  stats: TrafficStats;
  settings: TrafficSettings;
  generator: RestoreGenerator;
  adminName: string;
  defaultTokenLifetime: number;
  defaultMaxConcurrent: number;
  defaultRetention: number;
}

/** The /_sim admin API (same style as entra-sim): seed, reset, faults, stats, state, generator. */
export function registerAdminRoutes(app: FastifyInstance, d: AdminDeps): void {
  app.post('/_sim/seed', async (request, reply) => {
    const input = parse(seedInput, request.body, reply);
    return input ? applySeed(d.store, input, d.adminName) : reply;
  });

  app.post('/_sim/reset', async (_request, reply) => {
    d.store.clear();
    d.tokens.clear();
    d.faults.clear();
    d.stats.reset();
    d.generator.reset();
    d.tokens.lifetimeSeconds = d.defaultTokenLifetime;
    d.settings.maxConcurrent = d.defaultMaxConcurrent;
    d.store.changes.setRetention(d.defaultRetention);
    return reply.code(204).send();
  });

  app.get('/_sim/faults', async () => ({
    ...d.faults.describe(),
    tokenLifetimeSeconds: d.tokens.lifetimeSeconds,
    maxConcurrent: d.settings.maxConcurrent,
    changeFeedRetention: d.store.changes.stats().retention,
  }));

  app.put('/_sim/faults', async (request, reply) => {
    const input = parse(faultsInput, request.body, reply);
    if (!input) return reply;
    if (input.global) d.faults.set(input.global);
    for (const [org, settings] of Object.entries(input.organizations ?? {})) d.faults.set(settings, org);
    if (input.tokenLifetimeSeconds !== undefined) d.tokens.lifetimeSeconds = input.tokenLifetimeSeconds;
    if (input.expireTokensNow) d.tokens.expireAll();
    if (input.maxConcurrent !== undefined) d.settings.maxConcurrent = input.maxConcurrent;
    if (input.changeFeedRetention !== undefined) d.store.changes.setRetention(input.changeFeedRetention);
    return reply.code(204).send();
  });

  app.delete('/_sim/faults', async (_request, reply) => {
    d.faults.clear();
    return reply.code(204).send();
  });

  app.get('/_sim/stats', async () => ({
    ...d.stats.snapshot(),
    logins: d.tokens.logins,
    refreshes: d.tokens.refreshes,
    activeTokens: d.tokens.active(),
  }));

  app.delete('/_sim/stats', async (_request, reply) => {
    d.stats.reset();
    d.tokens.logins = 0;
    d.tokens.refreshes = 0;
    return reply.code(204).send();
  });

  app.get('/_sim/state', async (request) => {
    const orgFilter = (request.query as { organizationId?: string }).organizationId?.toLowerCase();
    const roles = [...d.store.roles.values()].filter((r) => !orgFilter || r.organizationId === orgFilter);
    return {
      organizations: d.store.organizations.size,
      roles: roles.map((r) => ({ ...renderRole(r), operators: r.operators, selectedItems: r.selectedItems, excludedItems: r.excludedItems })),
      restoreSessions: d.store.sessions.length,
      restoreEvents: d.store.eventCount,
      changeFeed: d.store.changes.stats(),
      restorePortal: d.store.restorePortal,
      generator: { ...d.generator.settings, created: d.generator.created },
      memory: process.memoryUsage(),
    };
  });

  app.put('/_sim/generator', async (request, reply) => {
    const input = parse(generatorInput, request.body, reply);
    return input ? d.generator.configure(input) : reply;
  });

  app.post('/_sim/restore-sessions', async (request, reply) => {
    const input = parse(createSessionsInput, request.body, reply);
    if (!input) return reply;
    const sessions = d.generator.createNow(input.count, input.working, input.organizationId);
    return { created: sessions.map((s) => ({ id: s.id, organizationId: s.organizationId, state: s.state, events: s.events.length })) };
  });

  app.post('/_sim/restore-sessions/finish', async () => ({ finished: d.generator.finishDue(Date.now(), true) }));

  app.delete('/_sim/restore-sessions/:id', async (request, reply) => {
    const ok = d.store.deleteSession((request.params as { id: string }).id.toLowerCase());
    return reply.code(ok ? 204 : 404).send();
  });
}

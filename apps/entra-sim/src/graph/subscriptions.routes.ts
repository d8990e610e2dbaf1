import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SimContext } from '../sim-context';
import { authorize, badRequest, notFound, sendGraphError } from './graph-http';

/**
 * Graph change-notification subscriptions (contracts/entra-graph.md §7): create with the validation handshake,
 * renew (PATCH expirationDateTime), delete, list; `/_sim/groups/:tenant/:group/change` changes a seeded group and
 * delivers a notification to every live subscription on it. Groups only: Graph cannot notify on service
 * principals or grants. Kept in memory, per simulator process, cleared by /_sim/reset.
 */
export interface SimSubscription {
  id: string;
  tenantId: string;
  applicationId: string;
  resource: string;
  changeType: string;
  notificationUrl: string;
  clientState: string | null;
  expirationDateTime: string;
}

/** Graph's maximum lifetime for group subscriptions: 41,760 minutes (29 days). */
const MAX_LIFETIME_MS = 41_760 * 60_000;
const VALIDATION_TIMEOUT_MS = 10_000;

const stores = new WeakMap<SimContext, Map<string, SimSubscription>>();
export function subscriptionStore(ctx: SimContext): Map<string, SimSubscription> {
  let s = stores.get(ctx);
  if (!s) stores.set(ctx, (s = new Map()));
  return s;
}

const createSchema = z.object({
  changeType: z.string().regex(/^(created|updated|deleted)(,(created|updated|deleted))*$/),
  notificationUrl: z.string().url(),
  resource: z.string(),
  expirationDateTime: z.string().datetime({ offset: true }),
  clientState: z.string().max(128).optional(),
  latestSupportedTlsVersion: z.string().optional(),
});

function lifetimeError(expiration: string): string | undefined {
  const ms = Date.parse(expiration) - Date.now();
  if (ms <= 0) return 'Subscription expiration can only be in the future.';
  if (ms > MAX_LIFETIME_MS) return `Subscription expiration exceeds the maximum of ${MAX_LIFETIME_MS / 60_000} minutes for this resource.`;
  return undefined;
}

/** Real Graph only calls https endpoints; the simulator also allows http on loopback for tests. */
function acceptableUrl(u: string): boolean {
  const url = new URL(u);
  return url.protocol === 'https:' || (url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname));
}

async function validate(notificationUrl: string): Promise<boolean> {
  const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()} ${randomBytes(8).toString('hex')}`;
  const url = new URL(notificationUrl);
  url.searchParams.set('validationToken', token);
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' }, body: '', signal: AbortSignal.timeout(VALIDATION_TIMEOUT_MS) });
    const text = await res.text();
    return res.status === 200 && (res.headers.get('content-type') ?? '').startsWith('text/plain') && text === token;
  } catch {
    return false;
  }
}

export function view(s: SimSubscription): Record<string, unknown> {
  return {
    '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#subscriptions/$entity',
    id: s.id,
    resource: s.resource,
    applicationId: s.applicationId,
    changeType: s.changeType,
    clientState: s.clientState,
    notificationUrl: s.notificationUrl,
    expirationDateTime: s.expirationDateTime,
    latestSupportedTlsVersion: 'v1_2',
  };
}

export function registerSubscriptionRoutes(app: FastifyInstance, ctx: SimContext): void {
  const store = subscriptionStore(ctx);

  app.post('/v1.0/subscriptions', async (req, reply) => {
    const c = authorize(ctx, req, reply, 'readGroups');
    if (!c) return reply;
    const parsed = createSchema.safeParse(req.body ?? {});
    if (!parsed.success) return badRequest(reply, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const b = parsed.data;
    const groupId = /^\/?groups\/([0-9a-fA-F-]{36})$/.exec(b.resource)?.[1]?.toLowerCase();
    if (!groupId) return badRequest(reply, `Resource '${b.resource}' is not supported by this simulator (groups/{id} only).`);
    if (!c.tenant.groups.some((g) => g.id === groupId)) return notFound(reply, groupId);
    if (!acceptableUrl(b.notificationUrl)) return badRequest(reply, 'Subscription notificationUrl must use https.');
    const lifetime = lifetimeError(b.expirationDateTime);
    if (lifetime) return badRequest(reply, lifetime);
    if (!(await validate(b.notificationUrl)))
      return sendGraphError(reply, 400, 'ValidationError', 'Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.');
    const s: SimSubscription = {
      id: randomUUID(),
      tenantId: c.tenant.id,
      applicationId: c.claims.appid,
      resource: `groups/${groupId}`,
      changeType: b.changeType,
      notificationUrl: b.notificationUrl,
      clientState: b.clientState ?? null,
      expirationDateTime: new Date(b.expirationDateTime).toISOString(),
    };
    store.set(s.id, s);
    return reply.code(201).send(view(s));
  });

  const own = (tenantId: string, appId: string, id: string): SimSubscription | undefined => {
    const s = store.get(id);
    return s && s.tenantId === tenantId && s.applicationId === appId ? s : undefined;
  };

  app.get('/v1.0/subscriptions', (req, reply) => {
    const c = authorize(ctx, req, reply, 'readGroups');
    if (!c) return reply;
    const items = [...store.values()].filter((s) => s.tenantId === c.tenant.id && s.applicationId === c.claims.appid).map(view);
    return reply.send({ '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#subscriptions', value: items });
  });

  app.patch<{ Params: { id: string } }>('/v1.0/subscriptions/:id', (req, reply) => {
    const c = authorize(ctx, req, reply, 'readGroups');
    if (!c) return reply;
    const s = own(c.tenant.id, c.claims.appid, req.params.id);
    if (!s) return notFound(reply, req.params.id);
    const parsed = z.object({ expirationDateTime: z.string().datetime({ offset: true }) }).safeParse(req.body ?? {});
    if (!parsed.success) return badRequest(reply, 'expirationDateTime is required.');
    const lifetime = lifetimeError(parsed.data.expirationDateTime);
    if (lifetime) return badRequest(reply, lifetime);
    s.expirationDateTime = new Date(parsed.data.expirationDateTime).toISOString();
    return reply.send(view(s));
  });

  app.delete<{ Params: { id: string } }>('/v1.0/subscriptions/:id', (req, reply) => {
    const c = authorize(ctx, req, reply, 'readGroups');
    if (!c) return reply;
    if (!own(c.tenant.id, c.claims.appid, req.params.id)) return notFound(reply, req.params.id);
    store.delete(req.params.id);
    return reply.code(204).send();
  });
}

/** `/_sim` admin: change a seeded group and notify live subscriptions on it (one attempt each, result returned). */
export function registerSubscriptionAdminRoutes(app: FastifyInstance, ctx: SimContext): void {
  app.post<{ Params: { tenant: string; group: string }; Body: { displayName?: string } }>('/_sim/groups/:tenant/:group/change', async (req, reply) => {
    const t = ctx.store.findTenant(req.params.tenant);
    const g = t?.groups.find((x) => x.id === req.params.group.toLowerCase());
    if (!t || !g) return reply.code(404).send({ error: 'unknown tenant or group' });
    g.displayName = req.body?.displayName ?? `${g.displayName} (changed)`;
    const now = Date.now();
    const deliveries: { subscriptionId: string; status: number | 'error' | 'expired' }[] = [];
    for (const s of subscriptionStore(ctx).values()) {
      if (s.tenantId !== t.id || s.resource !== `groups/${g.id}` || !s.changeType.split(',').includes('updated')) continue;
      if (Date.parse(s.expirationDateTime) <= now) {
        deliveries.push({ subscriptionId: s.id, status: 'expired' });
        continue;
      }
      const body = {
        value: [
          {
            subscriptionId: s.id,
            subscriptionExpirationDateTime: s.expirationDateTime,
            changeType: 'updated',
            resource: s.resource,
            resourceData: { '@odata.type': '#Microsoft.Graph.Group', '@odata.id': s.resource, id: g.id },
            clientState: s.clientState,
            tenantId: t.id,
          },
        ],
      };
      try {
        const res = await fetch(s.notificationUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
        await res.body?.cancel();
        deliveries.push({ subscriptionId: s.id, status: res.status });
      } catch {
        deliveries.push({ subscriptionId: s.id, status: 'error' });
      }
    }
    return reply.send({ group: g, deliveries });
  });
}

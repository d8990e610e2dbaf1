import { AsyncLocalStorage } from 'node:async_hooks';
import { Prisma } from '../generated/client';

/** Who is asking, for the API request being served (set by the api around each handler). */
export interface RequestContext {
  /** The caller's IP as the api sees it (X-Forwarded-For only when TRUST_PROXY says so). */
  clientIp?: string;
  /** The request's X-Request-Id. */
  correlationId?: string;
  /** Id of the API key that authenticated the request (absent on public routes). */
  apiKeyId?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/**
 * The request context flows implicitly (AsyncLocalStorage) instead of as a parameter of every service that writes
 * an activity row: a dozen writers across tenants, runs, roles, consent and webhooks would otherwise each have to
 * remember it (issue 8: every row written because of an API call carries client IP, key id and correlation id).
 */
export const requestContext = {
  run<T>(ctx: RequestContext, fn: () => T): T {
    return storage.run(ctx, fn);
  },
  current(): RequestContext | undefined {
    return storage.getStore();
  },
};

type ActivityData = Prisma.ActivityLogUncheckedCreateInput;

/**
 * Completes an activity row from the request context without overriding what the writer set: `client_ip`,
 * `correlation_id`, and `details.actorKeyId` (the key's name stays in `actor`, readable; its id is what identifies
 * it after a rename).
 */
export function withRequestContext<T extends Partial<ActivityData>>(data: T, ctx = requestContext.current()): T {
  if (!ctx) return data;
  const out: T = { ...data };
  if (out.clientIp == null && ctx.clientIp) out.clientIp = ctx.clientIp;
  if (out.correlationId == null && ctx.correlationId) out.correlationId = ctx.correlationId;
  if (ctx.apiKeyId) {
    const details = out.details;
    const obj = details && typeof details === 'object' && !Array.isArray(details) ? (details as Prisma.InputJsonObject) : details === undefined ? {} : undefined;
    if (obj && obj['actorKeyId'] === undefined) out.details = { ...obj, actorKeyId: ctx.apiKeyId };
  }
  return out;
}

/** Prisma query extension applying withRequestContext to every activity_log insert made through the client. */
export const activityRequestContextExtension = Prisma.defineExtension({
  name: 'activity-request-context',
  query: {
    activityLog: {
      create({ args, query }) {
        return query({ ...args, data: withRequestContext(args.data as ActivityData) as typeof args.data });
      },
      createMany({ args, query }) {
        const rows = Array.isArray(args.data) ? args.data.map((d) => withRequestContext(d)) : withRequestContext(args.data);
        return query({ ...args, data: rows });
      },
    },
  },
});

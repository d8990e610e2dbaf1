import { sleep } from '@app/common';
import { FaultPlan } from '@app/sim-kit';
import { FastifyInstance, FastifyRequest } from 'fastify';
import { sendRestError } from '../http/rest-error';
import { bearer } from '../routes/auth.routes';
import { TokenService } from '../routes/token.service';
import { SimStore } from '../store/sim-store';
import { TrafficStats } from './traffic-stats';

export interface TrafficSettings {
  /** Concurrent /v8 requests beyond which the server answers 503 (one VB365 box serves every tenant). 0 = no cap. */
  maxConcurrent: number;
}

/** The organization a request concerns, for per-organization faults and stats. */
function organizationOf(store: SimStore, request: FastifyRequest): string | undefined {
  const params = (request.params ?? {}) as Record<string, string | undefined>;
  if (params.organizationId) return params.organizationId.toLowerCase();
  if (params.roleId) return store.roles.get(params.roleId.toLowerCase())?.organizationId;
  if (params.restoreSessionId) return store.sessionsById.get(params.restoreSessionId.toLowerCase())?.organizationId;
  const msid = (request.query as Record<string, string | undefined> | undefined)?.msid;
  return msid ? store.organizationByMsid(msid)?.id : undefined;
}

const kindOf = (request: FastifyRequest): string => `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`;

/**
 * Hooks applied to every /v8 request, in the order a real deployment would apply them: the concurrency cap
 * (a saturated server answers 503), bearer auth (401), then injected latency and faults.
 */
export function installTrafficControl(
  app: FastifyInstance,
  deps: { store: SimStore; tokens: TokenService; faults: FaultPlan; stats: TrafficStats; settings: TrafficSettings },
): void {
  const { store, tokens, faults, stats, settings } = deps;
  const orgOf = new WeakMap<FastifyRequest, string | undefined>();
  const leaving = new WeakMap<FastifyRequest, () => void>();
  /** When the Retry-After of an injected 429 for an organization expires (Retry-After violations, as entra-sim counts them). */
  const retryAfterUntil = new Map<string, { until: number; kind: string }>();

  // Counted before the answer is written, so a client that has its answer also sees it in /_sim/stats.
  app.addHook('onSend', async (request, reply, payload) => {
    const leave = leaving.get(request);
    if (leave) {
      leave();
      stats.record(kindOf(request), orgOf.get(request) ?? organizationOf(store, request), request.method, reply.statusCode);
    }
    return payload;
  });

  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/v8/')) return;
    const now = stats.enter();
    let left = false;
    const leave = (): void => {
      if (!left) stats.leave();
      left = true;
    };
    // A request stops counting when its answer is about to be written (onSend, below): the client cannot have
    // seen it yet, so a client's next request never overlaps its previous one here. Counting on the socket's
    // 'finish'/'close' events lags behind the client and overstates the peak. 'close' covers resets and aborts.
    leaving.set(request, leave);
    reply.raw.once('close', leave);
    request.raw.once('close', () => {
      if (reply.raw.destroyed) leave();
    });
    if (settings.maxConcurrent > 0 && now > settings.maxConcurrent) {
      stats.rejectedByCap += 1;
      return sendRestError(reply.header('retry-after', '1'), 503, 'The server is busy. Too many concurrent requests.', null);
    }
    const isLogin = request.method === 'POST' && request.url.split('?')[0] === '/v8/token';
    if (!isLogin) {
      const why = tokens.check(bearer(request.headers.authorization), request.headers.cookie);
      if (why) return sendRestError(reply, 401, why, null);
    }
    return undefined;
  });

  app.addHook('preHandler', async (request, reply) => {
    if (!request.url.startsWith('/v8/')) return undefined;
    const org = organizationOf(store, request);
    orgOf.set(request, org);
    const issued = org ? retryAfterUntil.get(org) : undefined;
    if (org && issued !== undefined) {
      // 50 ms of grace, as in entra-sim: timers are coarse and an exact wait must not count.
      if (Date.now() + 50 < issued.until) stats.retryAfterViolation(`${kindOf(request)} after 429 on ${issued.kind}`);
      else retryAfterUntil.delete(org);
    }
    const latency = faults.latencyFor(org);
    if (latency > 0) await sleep(latency);
    const fault = faults.draw(org);
    if (!fault) return undefined;
    stats.injectedFaults += 1;
    switch (fault.kind) {
      case 'throttle':
        if (org) retryAfterUntil.set(org, { until: Date.now() + fault.retryAfterSeconds * 1000, kind: kindOf(request) });
        return sendRestError(reply.header('retry-after', String(fault.retryAfterSeconds)), 429, 'Too many requests. Retry later.', null);
      case 'status':
        return sendRestError(reply, fault.status, fault.status === 500 ? 'Internal server error (injected).' : 'Service unavailable (injected).', null);
      case 'reset':
        request.raw.socket.destroy();
        return reply.hijack();
    }
  });
}

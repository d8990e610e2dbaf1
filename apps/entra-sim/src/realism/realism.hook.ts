import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sleep } from '@app/common';
import type { Tenant } from '../directory/directory.types';
import type { SimContext } from '../sim-context';
import { costOf } from './token-bucket';

export interface RealismTarget {
  tenant: Tenant;
  /** The calling client application (Retry-After and token buckets are per app + tenant). */
  appId: string;
}

export interface RealismOptions {
  resolve(req: FastifyRequest): RealismTarget | undefined;
  /** Applies the documented token bucket (Graph only; the identity platform's limits are not documented). */
  tokenBucket: boolean;
  sendThrottled(reply: FastifyReply, retryAfterSeconds: number, target: RealismTarget): void;
  sendUnavailable(reply: FastifyReply, status: 500 | 503 | 504): void;
}

/**
 * Per-request realism for one listener: request counting, Retry-After violation tracking, latency, the
 * token-bucket mode and random faults (429 / 5xx / connection reset), all by tenant. /_sim is exempt.
 */
export function installRealism(app: FastifyInstance, ctx: SimContext, opts: RealismOptions): void {
  app.addHook('preHandler', async (req, reply) => {
    if (req.url.startsWith('/_sim')) return;
    const target = opts.resolve(req);
    const key = target?.tenant.id;
    const described = `${req.method} ${req.url.split('?')[0]}`;
    if (target) {
      target.tenant.stats.requests += 1;
      ctx.checkRetryAfter(target.tenant, target.appId, described);
    }
    const latency = ctx.faults.latencyFor(key);
    if (latency > 0) await sleep(latency);
    const settings = ctx.faults.effective(key);
    if (target && opts.tokenBucket && settings.tokenBucket?.enabled) {
      const cost = costOf(req.method, req.url.split('?')[0] ?? '', req.query as Record<string, string>);
      const wait = ctx.buckets.take(`${target.tenant.id}|${target.appId.toLowerCase()}`, target.tenant.sizeClass, cost, settings.tokenBucket);
      if (wait !== undefined) {
        ctx.noteRetryAfter(target.tenant, target.appId, wait, described);
        opts.sendThrottled(reply, wait, target);
        return reply;
      }
    }
    const fault = ctx.faults.draw(key);
    if (!fault) return;
    switch (fault.kind) {
      case 'throttle':
        if (target) ctx.noteRetryAfter(target.tenant, target.appId, fault.retryAfterSeconds, described);
        if (target) opts.sendThrottled(reply, fault.retryAfterSeconds, target);
        else void reply.code(429).header('Retry-After', String(fault.retryAfterSeconds)).send();
        return reply;
      case 'status':
        opts.sendUnavailable(reply, fault.status);
        return reply;
      case 'reset':
        reply.hijack();
        req.raw.socket.destroy();
        return reply;
    }
  });
}

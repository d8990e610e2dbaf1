import { CanActivate, ExecutionContext, Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import Redis from 'ioredis';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { AppConfig, APP_CONFIG } from '@app/config';
import { redisOptionsFromUrl } from '@app/jobs';
import { ApiError } from '@app/platform';
import { AuthenticatedRequest } from '../auth/auth.decorators';

const WINDOW_MS = 60_000;

/** INCR + first-hit PEXPIRE as one server-side command: one Redis command per request instead of MULTI/INCR/PEXPIRE/EXEC. */
const COUNT_LUA = "local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return n";
type CountingRedis = Redis & { rateLimitCount(key: string, ttlMs: number): Promise<number> };

/**
 * Per-API-key rate limit (RATE_LIMIT_PER_MINUTE), counted in Redis so every api replica shares one budget: a
 * fixed one-minute window per key. Beyond it: 429 problem+json with Retry-After (seconds to the next window).
 * Runs after ApiKeyGuard (registered after it), so only authenticated requests count; public routes (health,
 * signature-authenticated webhooks) have no key and are bounded by their own checks. If Redis is unreachable the
 * limiter lets requests through (logged): losing the limit briefly beats refusing every call.
 */
@Injectable()
export class RateLimitGuard implements CanActivate, OnModuleDestroy {
  private redis?: CountingRedis;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectPinoLogger(RateLimitGuard.name) private readonly logger: PinoLogger,
  ) {}

  private client(): CountingRedis {
    if (!this.redis) {
      // Commands wait for the connection (offline queue) but at most 250 ms: then the limiter fails open.
      const redis = new Redis({ ...redisOptionsFromUrl(this.config.redis.url), maxRetriesPerRequest: 1, commandTimeout: 250 });
      // EVALSHA, falling back to EVAL once when the script is not cached on the server yet.
      redis.defineCommand('rateLimitCount', { numberOfKeys: 1, lua: COUNT_LUA });
      this.redis = redis as CountingRedis;
    }
    return this.redis;
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const limit = this.config.rateLimit.perMinute;
    const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
    if (!limit || !principal) return true;
    const now = Date.now();
    const window = Math.floor(now / WINDOW_MS);
    const key = `${this.config.redis.queuePrefix}:ratelimit:${principal.keyId}:${window}`;
    let count: number;
    try {
      count = Number(await this.client().rateLimitCount(key, WINDOW_MS * 2));
    } catch (err) {
      this.logger.warn({ err }, 'rate limiter unavailable (Redis): request allowed');
      return true;
    }
    const reply = ctx.switchToHttp().getResponse<FastifyReply>();
    reply.header('ratelimit-limit', String(limit));
    reply.header('ratelimit-remaining', String(Math.max(0, limit - count)));
    if (count <= limit) return true;
    const retryAfter = Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - now) / 1000));
    reply.header('retry-after', String(retryAfter));
    throw new ApiError('RATE_LIMITED', `Rate limit of ${limit} requests per minute exceeded for this API key. Retry after ${retryAfter} s.`, {
      retryAfterSeconds: retryAfter,
    });
  }

  onModuleDestroy(): void {
    this.redis?.disconnect();
  }
}

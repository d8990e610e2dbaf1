import { createHash, randomUUID } from 'node:crypto';
import { sleep } from '@app/common';
import type { Redis } from 'ioredis';

export interface ConcurrencyCap {
  /** Waits for a slot; the returned function releases it. */
  acquire(): Promise<() => Promise<void>>;
}

/** In-process cap (single-process deployments, unit tests). */
export class LocalCap implements ConcurrencyCap {
  private active = 0;
  private readonly queue: (() => void)[] = [];

  constructor(private readonly max: number) {}

  async acquire(): Promise<() => Promise<void>> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.queue.push(resolve));
    else this.active += 1;
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      const next = this.queue.shift();
      if (next) next();
      else this.active -= 1;
    };
  }
}

/*
 * Acquire: drop expired leases, then take a slot if fewer than `max` are held. One sorted set per server, score =
 * lease expiry by the Redis clock (so process clocks do not matter). Atomic as a script; works on Redis Cluster
 * because it touches one key.
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
  return 1
end
return 0`;

const RENEW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if redis.call('ZSCORE', KEYS[1], ARGV[2]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[2])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) * 2)
  return 1
end
return 0`;

/** A Lua script sent by its SHA1 (EVALSHA: the body is not resent on every request), loaded on NOSCRIPT. */
class Script {
  private readonly sha: string;

  constructor(private readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  async run(redis: Redis, key: string, ...args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, 1, key, ...args);
    } catch (err) {
      if (!(err instanceof Error && err.message.startsWith('NOSCRIPT'))) throw err;
      return redis.eval(this.lua, 1, key, ...args);
    }
  }
}

const acquireScript = new Script(ACQUIRE);
const renewScript = new Script(RENEW);

/**
 * Cross-process cap on concurrent requests to one VB365 server (one box serves every tenant: DESIGN.md "Scale").
 * A counting semaphore of leased slots: holders renew their lease while the request runs; a crashed process
 * stops renewing and its slot expires after `leaseMs`, so slots never leak.
 */
export class RedisCap implements ConcurrencyCap {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly max: number,
    private readonly leaseMs = 30_000,
    private readonly pollMs = 15,
  ) {}

  async acquire(): Promise<() => Promise<void>> {
    const holder = randomUUID();
    for (let attempt = 0; ; attempt++) {
      const got = await acquireScript.run(this.redis, this.key, this.max, this.leaseMs, holder);
      if (got === 1) break;
      // Jittered polling keeps waiting processes from retrying in lockstep.
      await sleep(this.pollMs + Math.random() * Math.min(100, this.pollMs * (1 + attempt / 4)));
    }
    const renew = setInterval(() => {
      renewScript.run(this.redis, this.key, this.leaseMs, holder).catch(() => undefined);
    }, Math.max(100, this.leaseMs / 3));
    renew.unref();
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      clearInterval(renew);
      await this.redis.zrem(this.key, holder);
    };
  }
}

import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface ConcurrencyCap {
  /** Waits for a slot; the returned function releases it. */
  acquire(): Promise<() => Promise<void>>;
  /** Gives back what the cap holds while idle (a process shutting down). */
  close?(): Promise<void>;
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

/** How a process reuses the slots it holds (RedisCap); both 0 turns reuse off. */
export interface SlotReuse {
  /** A released slot stays held this long for the process's next request before it goes back to Redis. */
  lingerMs: number;
  /** A slot is reused only this long after Redis granted it; then it goes back, so other processes get their turn. */
  maxHoldMs: number;
}

export const DEFAULT_SLOT_REUSE: SlotReuse = { lingerMs: 20, maxHoldMs: 1_000 };

/** One slot held in Redis by this process. */
interface Slot {
  holder: string;
  /** When Redis granted it (Date.now()). */
  grantedAt: number;
  renew: NodeJS.Timeout;
  linger?: NodeJS.Timeout;
}

/**
 * Cross-process cap on concurrent requests to one VB365 server (one box serves every tenant: DESIGN.md "Scale").
 * A counting semaphore of leased slots: holders renew their lease while they hold the slot; a crashed process
 * stops renewing and its slot expires after `leaseMs`, so slots never leak.
 *
 * A process reuses the slots it holds: a released slot goes first to a request of this process that is waiting
 * for one, else it lingers `lingerMs` for the next request, and only then goes back to Redis; after `maxHoldMs`
 * it goes back at once. Every slot in use or lingering is held in Redis, so the cap still bounds all processes
 * together; what reuse saves is the two Redis round trips per request (a bulk onboarding's VB365 calls made 14 per
 * tenant; their socket writes alone were ~3 % of the worker's CPU in a profile, Redis's own CPU per tenant halved).
 */
export class RedisCap implements ConcurrencyCap {
  private readonly idle: Slot[] = [];
  /** This process's requests waiting for a slot (between their polls of Redis), first come first served. */
  private readonly waiters: ((slot: Slot) => void)[] = [];

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly max: number,
    private readonly leaseMs = 30_000,
    private readonly pollMs = 15,
    private readonly reuse: SlotReuse = DEFAULT_SLOT_REUSE,
  ) {}

  async acquire(): Promise<() => Promise<void>> {
    const slot = this.takeIdle() ?? (await this.grant());
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      await this.release(slot);
    };
  }

  /** Gives every lingering slot back to Redis (the slots in use go back as they are released). */
  async close(): Promise<void> {
    const slots = this.idle.splice(0);
    await Promise.all(slots.map((s) => this.giveBack(s)));
  }

  private takeIdle(): Slot | undefined {
    const slot = this.idle.pop();
    if (slot) clearTimeout(slot.linger);
    return slot;
  }

  /** A new slot from Redis, waiting (polling, or handed one by this process's release) while the cap is full. */
  private async grant(): Promise<Slot> {
    const holder = randomUUID();
    for (let attempt = 0; ; attempt++) {
      const got = await acquireScript.run(this.redis, this.key, this.max, this.leaseMs, holder);
      if (got === 1) {
        const renew = setInterval(() => {
          renewScript.run(this.redis, this.key, this.leaseMs, holder).catch(() => undefined);
        }, Math.max(100, this.leaseMs / 3));
        renew.unref();
        return { holder, grantedAt: Date.now(), renew };
      }
      // Jittered polling keeps waiting processes from retrying in lockstep; meanwhile a slot this process
      // releases is handed over directly.
      const handed = await new Promise<Slot | undefined>((resolve) => {
        const waiter = (slot: Slot): void => {
          clearTimeout(timer);
          resolve(slot);
        };
        const timer = setTimeout(() => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          resolve(undefined);
        }, this.pollMs + Math.random() * Math.min(100, this.pollMs * (1 + attempt / 4)));
        this.waiters.push(waiter);
      });
      if (handed) return handed;
    }
  }

  private async release(slot: Slot): Promise<void> {
    if (Date.now() - slot.grantedAt >= this.reuse.maxHoldMs) return this.giveBack(slot);
    const waiter = this.waiters.shift();
    if (waiter) return waiter(slot);
    if (this.reuse.lingerMs <= 0) return this.giveBack(slot);
    slot.linger = setTimeout(() => {
      const i = this.idle.indexOf(slot);
      if (i < 0) return;
      this.idle.splice(i, 1);
      // A failed give-back is not lost: the lease expires once nobody renews it.
      this.giveBack(slot).catch(() => undefined);
    }, this.reuse.lingerMs);
    slot.linger.unref();
    this.idle.push(slot);
  }

  private async giveBack(slot: Slot): Promise<void> {
    clearInterval(slot.renew);
    await this.redis.zrem(this.key, slot.holder);
  }
}

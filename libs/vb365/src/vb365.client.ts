import { ChangeFeedFollower } from './change-feed.follower';
import { ConcurrencyCap, LocalCap, RedisCap } from './concurrency-cap';
import { DirectoryService } from './directory.service';
import { OrganizationsService } from './organizations.service';
import { RbacService } from './rbac.service';
import { RestoreSessionsService, TimeWindow } from './restore-sessions.service';
import { Vb365Api } from './vb365-api';
import { Vb365Auth } from './vb365-auth';
import { Vb365Transport } from './vb365-transport';
import { Vb365ClientOptions } from './vb365.options';

const DEFAULT_MAX_CONCURRENT = 8;

function capFor(opts: Vb365ClientOptions): ConcurrencyCap {
  const max = opts.maxConcurrent ?? DEFAULT_MAX_CONCURRENT;
  const mode = opts.concurrency ?? (opts.redis ? 'redis' : 'local');
  if (mode === 'local') return new LocalCap(max);
  if (!opts.redis) throw new Error('Vb365Client: concurrency "redis" needs a Redis client (options.redis).');
  // One key per server: the cap protects the VB365 box, whichever tenant the request is for.
  const server = new URL(opts.baseUrl).host.toLowerCase();
  return new RedisCap(opts.redis, `${opts.keyPrefix ?? 'vb365:'}{cap:${server}}`, max, opts.leaseMs ?? 30_000);
}

/**
 * The product's client for one VB365 server. Create one per server per process and share it: it holds the
 * server's single token and connection pool; the request cap is shared with every other process via Redis.
 */
export class Vb365Client {
  readonly organizations: OrganizationsService;
  readonly directory: DirectoryService;
  readonly rbac: RbacService;
  readonly restoreSessions: RestoreSessionsService;
  private readonly transport: Vb365Transport;
  private readonly auth: Vb365Auth;

  constructor(opts: Vb365ClientOptions) {
    this.transport = new Vb365Transport({
      baseUrl: opts.baseUrl,
      caBundlePath: opts.caBundlePath,
      caBundle: opts.caBundle,
      cap: capFor(opts),
      requestTimeoutMs: opts.requestTimeoutMs ?? 60_000,
      maxRetries: opts.maxRetries ?? 3,
      retryBaseMs: opts.retryBaseMs ?? 500,
    });
    this.auth = new Vb365Auth(this.transport, opts.username, opts.password, opts.refreshAheadMs ?? 120_000);
    const api = new Vb365Api(this.transport, this.auth, Math.min(10_000, Math.max(1, opts.pageSize ?? 100)));
    this.organizations = new OrganizationsService(api);
    this.directory = new DirectoryService(api);
    this.rbac = new RbacService(api);
    this.restoreSessions = new RestoreSessionsService(api);
  }

  /** A change-feed follower; `resyncWindow` says how far back to re-list after OutdatedChangeToken. */
  changeFeed(resyncWindow: () => TimeWindow): ChangeFeedFollower {
    return new ChangeFeedFollower(this.restoreSessions, resyncWindow);
  }

  /** Logs out (POST /v8/token/logout), gives back the request-cap slots it holds and closes the connection pool. */
  async close(opts: { logout?: boolean } = { logout: true }): Promise<void> {
    try {
      if (opts.logout !== false) await this.auth.logout();
    } finally {
      await this.transport.close();
    }
  }

  /** Logs out but keeps the client usable: the next call logs in again. */
  async logout(): Promise<void> {
    await this.auth.logout();
  }
}

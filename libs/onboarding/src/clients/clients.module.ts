import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig, APP_CONFIG } from '@app/config';
import { EntraClient } from '@app/entra';
import { redisOptionsFromUrl } from '@app/jobs';
import { Vb365Client } from '@app/vb365';
import { ApiError } from '@app/platform';

/** Tenants whose credential + Graph client stay cached (an LRU: memory stays flat with any number of tenants). */
const ENTRA_CLIENT_CACHE = 2_000;

/**
 * The outside-system clients, built once per process from the validated configuration. The same code talks to
 * real Entra/Graph/VB365 or to the simulators: only configuration differs.
 */
@Injectable()
export class OutsideClients implements OnApplicationShutdown {
  private vb365?: Vb365Client;
  private entra?: EntraClient;
  private redis?: Redis;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** The VB365 client; one per process so every job shares the server's token (no login stampede). */
  vb365Client(): Vb365Client {
    const c = this.config.vb365;
    if (!c.baseUrl || !c.username || !c.password) {
      throw new ApiError('UNAVAILABLE', 'VB365 is not configured.', {
        hint: 'Set VB365_BASE_URL, VB365_USERNAME and VB365_PASSWORD.',
      });
    }
    this.redis ??= new Redis(redisOptionsFromUrl(this.config.redis.url));
    this.vb365 ??= new Vb365Client({
      baseUrl: c.baseUrl,
      username: c.username,
      password: c.password,
      caBundlePath: c.caBundlePath,
      maxConcurrent: c.maxConcurrent,
      redis: this.redis,
      // Same hash-tag style as the queues, so the cap's keys live beside them (and in one Cluster slot).
      keyPrefix: `${this.config.redis.queuePrefix}:vb365:`,
    });
    return this.vb365;
  }

  entraClient(): EntraClient {
    const e = this.config.entra;
    if (!e.orchestratorAppId || (!e.certificatePath && !e.clientSecret)) {
      throw new ApiError('UNAVAILABLE', 'The orchestrator app is not configured.', {
        hint: 'Set ORCHESTRATOR_APP_ID and ORCHESTRATOR_CERT_PATH (or ORCHESTRATOR_CLIENT_SECRET).',
      });
    }
    this.entra ??= new EntraClient({
      authorityHost: e.authorityHost,
      graphBaseUrl: e.graphBaseUrl,
      clientId: e.orchestratorAppId,
      certificatePath: e.certificatePath,
      clientSecret: e.clientSecret,
      lruSize: ENTRA_CLIENT_CACHE,
    });
    return this.entra;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.vb365?.close({ logout: true }).catch(() => undefined);
    this.redis?.disconnect();
  }
}

@Global()
@Module({ providers: [OutsideClients], exports: [OutsideClients] })
export class OutsideClientsModule {}

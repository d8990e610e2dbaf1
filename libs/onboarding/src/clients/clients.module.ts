import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig, APP_CONFIG } from '@app/config';
import { CredentialStore, PrismaService, SecretStore } from '@app/db';
import { EntraClient, EntraError } from '@app/entra';
import { redisOptionsFromUrl } from '@app/jobs';
import { Vb365Client, Vb365Error } from '@app/vb365';
import { ApiError } from '@app/platform';
import { OutsideCredentials } from './outside-credentials.service';

/** Tenants whose credential + Graph client stay cached (an LRU: memory stays flat with any number of tenants). */
const ENTRA_CLIENT_CACHE = 2_000;
/** A client replaced after a credential rotation is closed this much later, so calls in flight on it finish. */
const RETIRED_CLIENT_GRACE_MS = 60_000;

/**
 * The outside-system clients of this process. Endpoints come from configuration; credentials from the encrypted
 * secret store (OutsideCredentials), loaded at module init and re-checked in the background, so a rotated
 * credential builds a new client on the next use. The same code talks to real Entra/Graph/VB365 or to the
 * simulators: only configuration differs.
 */
@Injectable()
export class OutsideClients implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(OutsideClients.name);
  private vb365?: { client: Vb365Client; version: string };
  private entra?: { client: EntraClient; version: string };
  private readonly retired = new Set<Vb365Client>();
  private redis?: Redis;
  /**
   * True until onModuleInit has loaded the credentials. BullMQ workers may take jobs before this module's init
   * ran (npm run chaos: a replacement worker failed its first runs with UNAVAILABLE); until then a missing
   * credential is TRANSIENT (the step retries with backoff), afterwards it is the permanent UNAVAILABLE.
   */
  private starting = true;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly credentials: OutsideCredentials,
  ) {}

  /** Outside Nest (tools, tests): the same wiring by hand, with credentials imported and loaded. */
  static async create(config: AppConfig, prisma: PrismaService): Promise<OutsideClients> {
    const clients = new OutsideClients(config, new OutsideCredentials(config, new CredentialStore(prisma, new SecretStore(prisma, config))));
    await clients.onModuleInit();
    return clients;
  }

  /** Before any processor or route runs: import credentials still in the environment, then load the store. */
  async onModuleInit(): Promise<void> {
    try {
      await this.credentials.importFromEnvironment();
      await this.credentials.refresh();
    } catch (e) {
      // E.g. production without SECRET_ENCRYPTION_KEY, or Postgres not up yet: clients answer UNAVAILABLE with a
      // hint, and the next use retries the load in the background.
      this.logger.error(`loading the outside credentials from the secret store failed: ${e instanceof Error ? e.message : 'unknown error'}`);
    } finally {
      this.starting = false;
    }
  }

  /** Re-reads the store now (tests, or after an authentication failure) instead of waiting for the periodic check. */
  async refreshCredentials(): Promise<void> {
    await this.credentials.refresh();
  }

  /** The VB365 client; one per process (per credential version) so every job shares the server's token. */
  vb365Client(): Vb365Client {
    const c = this.config.vb365;
    const cred = this.credentials.vb365();
    if (!cred && this.starting) throw new Vb365Error('TRANSIENT', 'The VB365 credentials are still being loaded from the secret store.');
    if (!c.baseUrl || !cred) {
      throw new ApiError('UNAVAILABLE', 'VB365 is not configured.', {
        hint: 'Set VB365_BASE_URL, and store the VB365 credentials: `npm run secrets:set -- vb365.username --from-env VB365_USERNAME` (and vb365.password), or start once with VB365_USERNAME/VB365_PASSWORD set to import them.',
      });
    }
    if (this.vb365?.version === cred.version) return this.vb365.client;
    if (this.vb365) this.retire(this.vb365.client);
    this.redis ??= new Redis(redisOptionsFromUrl(this.config.redis.url));
    const client = new Vb365Client({
      baseUrl: c.baseUrl,
      username: cred.username,
      password: cred.password,
      caBundlePath: c.caBundlePath,
      maxConcurrent: c.maxConcurrent,
      redis: this.redis,
      // Same hash-tag style as the queues, so the cap's keys live beside them (and in one Cluster slot).
      keyPrefix: `${this.config.redis.queuePrefix}:vb365:`,
    });
    this.vb365 = { client, version: cred.version };
    return client;
  }

  entraClient(): EntraClient {
    const e = this.config.entra;
    const cred = this.credentials.orchestrator();
    if (!cred && this.starting) {
      throw new EntraError('TRANSIENT', 'The orchestrator credentials are still being loaded from the secret store.', 'Retried automatically.');
    }
    if (!e.orchestratorAppId || !cred) {
      throw new ApiError('UNAVAILABLE', 'The orchestrator app is not configured.', {
        hint: 'Set ORCHESTRATOR_APP_ID, and store its certificate: `npm run secrets:set -- orchestrator.certificate --from-file <pem>` (or orchestrator.client-secret), or start once with ORCHESTRATOR_CERT_PATH set to import it.',
      });
    }
    if (this.entra?.version === cred.version) return this.entra.client;
    this.entra = {
      version: cred.version,
      client: new EntraClient({
        authorityHost: e.authorityHost,
        graphBaseUrl: e.graphBaseUrl,
        clientId: e.orchestratorAppId,
        certificatePem: cred.certificatePem,
        clientSecret: cred.clientSecret,
        lruSize: ENTRA_CLIENT_CACHE,
      }),
    };
    return this.entra.client;
  }

  private retire(client: Vb365Client): void {
    this.retired.add(client);
    this.logger.log('VB365 credentials changed in the secret store: new client built, the previous one closes after in-flight calls');
    setTimeout(() => {
      this.retired.delete(client);
      client.close({ logout: true }).catch(() => undefined);
    }, RETIRED_CLIENT_GRACE_MS).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    const clients = [...this.retired, ...(this.vb365 ? [this.vb365.client] : [])];
    await Promise.all(clients.map((c) => c.close({ logout: true }).catch(() => undefined)));
    this.redis?.disconnect();
  }
}

@Global()
@Module({ providers: [SecretStore, CredentialStore, OutsideCredentials, OutsideClients], exports: [OutsideClients] })
export class OutsideClientsModule {}

import { Inject, Injectable, Logger, Module, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { AppConfig, APP_CONFIG } from '@app/config';
import {
  CONSENT_STATE_KEY,
  CredentialStore,
  INBOUND_WEBHOOK_SECRET_PREFIX,
  inboundWebhookSecretName,
  RotatingSecretName,
  SecretStore,
} from '@app/db';

/**
 * How often the api asks the store (one query of row ids, nothing decrypted) whether a rotating secret changed: a
 * `secrets:set` is in use by every api process within this interval plus one query.
 */
export const ACTIVE_SECRETS_CHECK_INTERVAL_MS = 5_000;

/** Active values, current first: what a verifier accepts and (the first) what a signer uses. */
type Active = ReadonlyMap<RotatingSecretName, readonly string[]>;

/**
 * The api's inbound webhook secrets and consent-state key, from the encrypted secret store (the source of truth;
 * CredentialStore's rotating secrets). As for the outside credentials (OutsideCredentials), environment variables
 * only bootstrap the store: INBOUND_WEBHOOK_SECRETS and CONSENT_STATE_SECRET present at start are imported and a
 * warning says to remove them. Values are decrypted once and kept in memory, so a request never waits on Postgres;
 * a timer re-reads the row ids every ACTIVE_SECRETS_CHECK_INTERVAL_MS and decrypts only what changed.
 */
@Injectable()
export class ActiveSecrets implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ActiveSecrets.name);
  private active: Active = new Map();
  /** Decrypted values by version (row id): a check decrypts only rows it has not seen. */
  private decrypted = new Map<string, string>();
  private timer?: NodeJS.Timeout;
  private inflight?: Promise<void>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: CredentialStore,
  ) {}

  async onModuleInit(): Promise<void> {
    try {
      await this.importFromEnvironment();
      await this.refresh();
    } catch (e) {
      // The api still starts (inbound sources answer 404, consent routes 503 in production); the timer retries.
      this.logger.error(`loading the inbound webhook secrets and consent-state key failed: ${e instanceof Error ? e.message : 'unknown error'}`);
    }
    this.timer = setInterval(() => {
      this.refresh().catch((e: unknown) =>
        this.logger.warn(`checking the secret store for rotated secrets failed: ${e instanceof Error ? e.message : 'unknown error'}`),
      );
    }, ACTIVE_SECRETS_CHECK_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /**
   * Imports INBOUND_WEBHOOK_SECRETS (per source: the last listed secret is current, the one before it previous)
   * and CONSENT_STATE_SECRET into the store. Returns the variables that were present; values are never logged.
   */
  async importFromEnvironment(): Promise<string[]> {
    const found: string[] = [];
    const changed: string[] = [];
    for (const [source, secrets] of Object.entries(this.config.webhooks.inboundSecrets)) {
      const [previous, current] = secrets.length > 1 ? secrets.slice(-2) : [undefined, secrets[0]];
      if (!current) continue;
      if (!found.includes('INBOUND_WEBHOOK_SECRETS')) found.push('INBOUND_WEBHOOK_SECRETS');
      const name = inboundWebhookSecretName(source);
      if ((await this.store.setActive(name, current, previous)).changed) changed.push(name);
    }
    const consentKey = this.config.consent.stateSecret;
    if (consentKey) {
      found.push('CONSENT_STATE_SECRET');
      if ((await this.store.setActive(CONSENT_STATE_KEY, consentKey)).changed) changed.push(CONSENT_STATE_KEY);
    }
    if (found.length) {
      this.logger.warn(
        `${found.join(', ')} imported into the encrypted secret store` +
          `${changed.length ? ` (updated: ${changed.join(', ')})` : ' (already stored)'}; ` +
          'remove them from the environment: the store is the source of truth (docs/webhooks.md, docs/security.md)',
      );
    }
    return found;
  }

  /** Reads the stored versions and decrypts whatever changed since the last load (concurrent calls share one). */
  refresh(): Promise<void> {
    this.inflight ??= this.load().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async load(): Promise<void> {
    const versions = await this.store.rotatingVersions();
    const decrypted = new Map<string, string>();
    const active = new Map<RotatingSecretName, string[]>();
    for (const [name, v] of versions) {
      // Without a current value (only a previous one left), nothing is active for the name.
      if (!v.current) continue;
      const values: string[] = [];
      for (const id of [v.current, v.previous]) {
        if (!id) continue;
        const value = this.decrypted.get(id) ?? (await this.store.valueOf(id));
        decrypted.set(id, value);
        values.push(value);
      }
      active.set(name, values);
    }
    this.active = active;
    this.decrypted = decrypted;
  }

  /** A source's active secrets, current first; undefined for a source that has none (404). */
  inboundSecrets(source: string): readonly string[] | undefined {
    return this.active.get(`${INBOUND_WEBHOOK_SECRET_PREFIX}${source}`);
  }

  /** The consent-state keys, current (signs) first; undefined when none is stored. */
  consentStateKeys(): readonly string[] | undefined {
    return this.active.get(CONSENT_STATE_KEY);
  }
}

/** One ActiveSecrets per process for the modules that verify with it (webhooks, consent). */
@Module({ providers: [SecretStore, CredentialStore, ActiveSecrets], exports: [ActiveSecrets] })
export class ActiveSecretsModule {}

import { readFile } from 'node:fs/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig, APP_CONFIG } from '@app/config';
import { CREDENTIAL_NAMES, CredentialName, CredentialStore } from '@app/db';

/** How long a loaded set of credentials is trusted before the store is asked (cheaply, by row id) for a rotation. */
export const CREDENTIAL_CHECK_INTERVAL_MS = 30_000;

export interface OrchestratorCredential {
  certificatePem?: string;
  clientSecret?: string;
  /** Changes when either stored value changes. */
  version: string;
}

export interface Vb365Credential {
  username: string;
  password: string;
  version: string;
}

type Loaded = { versions: Partial<Record<CredentialName, string>>; values: Partial<Record<CredentialName, string>> };

const versionOf = (l: Loaded, names: CredentialName[]): string => names.map((n) => l.versions[n] ?? '-').join('/');

/**
 * The orchestrator app's and the VB365 server's credentials, from the encrypted secret store (the source of
 * truth). Environment variables only bootstrap it: when present at start they are imported (replacing a different
 * stored value) and a warning says to remove them. Values are decrypted once and kept in memory; every
 * CREDENTIAL_CHECK_INTERVAL_MS a use triggers a background check of the stored row ids, and a changed credential
 * is decrypted and picked up by the next client build (see OutsideClients and docs/security.md).
 */
@Injectable()
export class OutsideCredentials {
  private readonly logger = new Logger(OutsideCredentials.name);
  private loaded?: Loaded;
  private checkedAt = 0;
  private inflight?: Promise<void>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: CredentialStore,
  ) {}

  /**
   * Imports the credentials present in configuration into the store. Returns the environment variables that
   * were present (whether or not the stored value had to change); values are never logged.
   */
  async importFromEnvironment(): Promise<string[]> {
    const { entra, vb365 } = this.config;
    const { certificatePath, clientSecret } = entra;
    const found: [string, CredentialName, () => Promise<string>][] = [];
    if (certificatePath) found.push(['ORCHESTRATOR_CERT_PATH', 'orchestrator.certificate', () => readFile(certificatePath, 'utf8')]);
    if (clientSecret) found.push(['ORCHESTRATOR_CLIENT_SECRET', 'orchestrator.client-secret', async () => clientSecret]);
    for (const [variable, name, value] of [['VB365_USERNAME', 'vb365.username', vb365.username], ['VB365_PASSWORD', 'vb365.password', vb365.password]] as const) {
      if (value) found.push([variable, name, async () => value]);
    }
    const changed: string[] = [];
    const imported = new Set<CredentialName>();
    for (const [variable, name, value] of found) {
      let plaintext: string;
      try {
        plaintext = await value();
      } catch {
        this.logger.error(`${variable} is set but the file cannot be read; the stored ${name} (if any) stays in use`);
        continue;
      }
      if ((await this.store.set(name, plaintext)).changed) changed.push(name);
      imported.add(name);
    }
    if (!found.length) return [];
    // An orchestrator certificate replaces a stored client secret (and vice versa), as configuration allows one.
    const other = { 'orchestrator.certificate': 'orchestrator.client-secret', 'orchestrator.client-secret': 'orchestrator.certificate' } as const;
    for (const name of ['orchestrator.certificate', 'orchestrator.client-secret'] as const) {
      if (imported.has(name) && (await this.store.delete(other[name]))) changed.push(`${other[name]} (removed)`);
    }
    this.logger.warn(
      `${found.map((f) => f[0]).join(', ')} imported into the encrypted secret store` +
        `${changed.length ? ` (updated: ${changed.join(', ')})` : ' (already stored)'}; ` +
        'remove them from the environment: the store is the source of truth (docs/security.md)',
    );
    return found.map((f) => f[0]);
  }

  /** Reads the stored versions and decrypts whatever changed since the last load. */
  async refresh(): Promise<void> {
    this.inflight ??= this.load().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async load(): Promise<void> {
    const versions = await this.store.versions();
    const previous = this.loaded;
    const values: Loaded['values'] = {};
    for (const name of CREDENTIAL_NAMES) {
      const v = versions[name];
      if (!v) continue;
      if (previous && previous.versions[name] === v) values[name] = previous.values[name];
      else {
        const stored = await this.store.get(name);
        if (stored) {
          values[name] = stored.value;
          versions[name] = stored.version;
        }
      }
    }
    this.loaded = { versions, values };
    this.checkedAt = Date.now();
  }

  /** Credentials as last loaded; a stale set starts a background check whose result the next call sees. */
  private current(): Loaded | undefined {
    if (Date.now() - this.checkedAt >= CREDENTIAL_CHECK_INTERVAL_MS && !this.inflight) {
      // Counted from the attempt, so a store that cannot be reached is retried every interval, not on every call.
      this.checkedAt = Date.now();
      this.refresh().catch((e: unknown) =>
        this.logger.warn(`checking the secret store for rotated credentials failed: ${e instanceof Error ? e.message : 'unknown error'}`),
      );
    }
    return this.loaded;
  }

  orchestrator(): OrchestratorCredential | undefined {
    const l = this.current();
    if (!l) return undefined;
    const certificatePem = l.values['orchestrator.certificate'];
    const clientSecret = certificatePem ? undefined : l.values['orchestrator.client-secret'];
    if (!certificatePem && !clientSecret) return undefined;
    return { certificatePem, clientSecret, version: versionOf(l, ['orchestrator.certificate', 'orchestrator.client-secret']) };
  }

  vb365(): Vb365Credential | undefined {
    const l = this.current();
    const username = l?.values['vb365.username'];
    const password = l?.values['vb365.password'];
    if (!l || !username || !password) return undefined;
    return { username, password, version: versionOf(l, ['vb365.username', 'vb365.password']) };
  }
}

import { readFileSync } from 'node:fs';
import { ClientCertificateCredential, ClientSecretCredential, TokenCredential } from '@azure/identity';
import { AuthenticationHandler, Client, HTTPMessageHandler, RedirectHandler, TelemetryHandler } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import { LRUCache } from 'lru-cache';
import { DEFAULT_GRAPH_SCOPE, EntraClientOptions } from './entra-client.options';
import { entraError } from './entra.errors';

export interface TenantConnection {
  credential: TokenCredential;
  graph: Client;
}

/**
 * Per-tenant credential + Graph client, cached in a bounded LRU: an MSP has thousands of tenants, and each
 * credential holds its own MSAL token cache and authority metadata (contract §1), so evicted tenants simply
 * re-fetch on next use.
 */
export class TenantConnections {
  private readonly cache: LRUCache<string, TenantConnection>;
  private certificatePem?: string;

  constructor(private readonly opts: EntraClientOptions) {
    this.cache = new LRUCache({ max: Math.max(1, opts.lruSize) });
  }

  get(tenantId: string): TenantConnection {
    const key = tenantId.toLowerCase();
    let conn = this.cache.get(key);
    if (!conn) {
      const credential = this.credential(key);
      conn = { credential, graph: this.graphClient(credential) };
      this.cache.set(key, conn);
    }
    return conn;
  }

  get size(): number {
    return this.cache.size;
  }

  private credential(tenantId: string): TokenCredential {
    // Without disableInstanceDiscovery MSAL asks login.microsoftonline.com to validate any other authority host.
    const common = { authorityHost: this.opts.authorityHost, disableInstanceDiscovery: true };
    const pem = this.pem();
    if (pem) return new ClientCertificateCredential(tenantId, this.opts.clientId, { certificate: pem }, { ...common, sendCertificateChain: this.opts.sendCertificateChain ?? false });
    if (this.opts.clientSecret) return new ClientSecretCredential(tenantId, this.opts.clientId, this.opts.clientSecret, common);
    throw entraError('CREDENTIAL_INVALID', 'No orchestrator credential configured: set a certificate or a client secret.', { tenantId });
  }

  private pem(): string | undefined {
    if (this.opts.certificatePem) return this.opts.certificatePem;
    if (!this.opts.certificatePath) return undefined;
    try {
      this.certificatePem ??= readFileSync(this.opts.certificatePath, 'utf8');
    } catch (e) {
      throw entraError('CREDENTIAL_INVALID', `Cannot read the orchestrator certificate at ${this.opts.certificatePath}.`, {}, e);
    }
    return this.certificatePem;
  }

  /**
   * The Graph client WITHOUT its RetryHandler. Its default retries 429/503/504 three times inside one call
   * (up to 180 s each), which would stack with the job layer's retries and hide throttling from it (contract §1).
   * We surface THROTTLED/TRANSIENT as coded errors instead: the job layer waits exactly Retry-After without
   * burning an attempt and applies backoff to transient errors, and one noisy tenant never holds a worker slot
   * while sleeping. (@azure/identity's own token pipeline retries are left as they are: tokens are cached.)
   */
  private graphClient(credential: TokenCredential): Client {
    const base = new URL(this.opts.graphBaseUrl);
    const authProvider = new TokenCredentialAuthenticationProvider(credential, { scopes: [this.opts.graphScope ?? DEFAULT_GRAPH_SCOPE] });
    return Client.initWithMiddleware({
      middleware: [new AuthenticationHandler(authProvider), new RedirectHandler(), new TelemetryHandler(), new HTTPMessageHandler()],
      baseUrl: `${base.origin}/`,
      defaultVersion: 'v1.0',
      // Without customHosts the client silently drops the Authorization header on non-Microsoft hosts (contract §1).
      customHosts: new Set([base.hostname]),
    });
  }
}

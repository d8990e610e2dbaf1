import { readFileSync } from 'node:fs';
import { AccessToken, ClientAssertionCredential, ClientSecretCredential, GetTokenOptions, TokenCredential } from '@azure/identity';
import { AuthenticationHandler, AuthenticationProvider, Client, RedirectHandler, TelemetryHandler } from '@microsoft/microsoft-graph-client';
import { LRUCache } from 'lru-cache';
import { DEFAULT_GRAPH_SCOPE, EntraClientOptions } from './entra-client.options';
import { entraError } from './entra.errors';
import { graphAgent, UndiciGraphHandler } from './graph-http';
import { AuthorityFailures } from './authority-diagnosis';
import { CertificateAssertions, tokenEndpoint } from './client-assertion';

export interface TenantConnection {
  credential: TokenCredential;
  graph: Client;
}

/** MSAL credentials kept at most (they are needed only to acquire a token: about once an hour per tenant). */
export const DEFAULT_CREDENTIAL_CACHE_SIZE = 64;
/** A cached token is renewed this long before it expires (when the token names no refresh time itself). */
const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * Per-tenant credential + Graph client in two bounded LRUs: an MSP has thousands of tenants, and each MSAL credential
 * holds its own application object, token cache and authority metadata (contract §1) — tens of KB — while all a
 * tenant needs between token acquisitions is its access token. So the `lruSize` tenants keep a small token-caching
 * credential and their Graph client; only `credentialCacheSize` MSAL credentials stay alive, and an evicted one is
 * rebuilt (authority metadata re-fetched) the next time a token must be acquired. Every Graph request also asks
 * the credential for a token: answered from the small cache, it skips MSAL's cache lookup entirely.
 */
export class TenantConnections {
  private readonly cache: LRUCache<string, TenantConnection>;
  private readonly msal: LRUCache<string, TokenCredential>;
  private certificatePem?: string;
  private certificateAssertions?: CertificateAssertions;
  /** Failed authority-metadata responses per tenant, for diagnoseAuthority. */
  readonly authorityFailures = new AuthorityFailures();
  /** Every tenant's Graph requests share this connection pool. */
  private readonly http = new UndiciGraphHandler(graphAgent());

  constructor(private readonly opts: EntraClientOptions) {
    this.cache = new LRUCache({ max: Math.max(1, opts.lruSize) });
    this.msal = new LRUCache({ max: Math.max(1, Math.min(opts.lruSize, opts.credentialCacheSize ?? DEFAULT_CREDENTIAL_CACHE_SIZE)) });
  }

  get(tenantId: string): TenantConnection {
    const key = tenantId.toLowerCase();
    let conn = this.cache.get(key);
    if (!conn) {
      const credential = new CachedTokenCredential(() => this.msalCredential(key));
      conn = { credential, graph: this.graphClient(credential) };
      this.cache.set(key, conn);
    }
    return conn;
  }

  get size(): number {
    return this.cache.size;
  }

  /** MSAL credentials currently alive (bounded by `credentialCacheSize`). */
  get credentialCount(): number {
    return this.msal.size;
  }

  private msalCredential(tenantId: string): TokenCredential {
    let credential = this.msal.get(tenantId);
    if (!credential) {
      credential = this.credential(tenantId);
      this.msal.set(tenantId, credential);
    }
    return credential;
  }

  private credential(tenantId: string): TokenCredential {
    // Without disableInstanceDiscovery MSAL asks login.microsoftonline.com to validate any other authority host.
    // The policy records failed authority-metadata answers, which MSAL reduces to endpoints_resolution_error.
    const common = {
      authorityHost: this.opts.authorityHost,
      disableInstanceDiscovery: true,
      additionalPolicies: [{ policy: this.authorityFailures.policy, position: 'perRetry' as const }],
    };
    const assertions = this.assertions();
    if (assertions) {
      // MSAL hands its own token endpoint to the callback (the one it posts to); the computed one is the fallback.
      const audience = tokenEndpoint(this.opts.authorityHost, tenantId);
      const getAssertion = (config?: { tokenEndpoint?: string }): Promise<string> => assertions.assertion(config?.tokenEndpoint ?? audience);
      return new ClientAssertionCredential(tenantId, this.opts.clientId, getAssertion, common);
    }
    if (this.opts.clientSecret) return new ClientSecretCredential(tenantId, this.opts.clientId, this.opts.clientSecret, common);
    throw entraError('CREDENTIAL_INVALID', 'No orchestrator credential configured: set a certificate or a client secret.', { tenantId });
  }

  /** The certificate's assertion signer, built once per process (undefined without a certificate). */
  private assertions(): CertificateAssertions | undefined {
    if (this.certificateAssertions) return this.certificateAssertions;
    const pem = this.pem();
    if (!pem) return undefined;
    try {
      this.certificateAssertions = new CertificateAssertions(pem, this.opts.clientId, { sendCertificateChain: this.opts.sendCertificateChain ?? false });
    } catch (e) {
      const where = this.opts.certificatePath ? ` at ${this.opts.certificatePath}` : '';
      throw entraError('CREDENTIAL_INVALID', `The orchestrator certificate${where} cannot be used: ${e instanceof Error ? e.message : String(e)}.`, {}, e);
    }
    return this.certificateAssertions;
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
    return Client.initWithMiddleware({
      middleware: [new AuthenticationHandler(new CredentialAuthProvider(credential, [this.opts.graphScope ?? DEFAULT_GRAPH_SCOPE])), new RedirectHandler(), new TelemetryHandler(), this.http],
      baseUrl: `${base.origin}/`,
      defaultVersion: 'v1.0',
      // Without customHosts the client silently drops the Authorization header on non-Microsoft hosts (contract §1).
      customHosts: new Set([base.hostname]),
    });
  }
}

/**
 * The Graph client's token source. The SDK's TokenCredentialAuthenticationProvider does the same but builds an Error,
 * stack trace included, on every request in case it needs one: 0.26 ms of worker CPU per onboarded tenant in a
 * bulk-onboarding profile, for nothing.
 */
export class CredentialAuthProvider implements AuthenticationProvider {
  constructor(
    private readonly credential: TokenCredential,
    private readonly scopes: string[],
  ) {}

  async getAccessToken(): Promise<string> {
    const token = await this.credential.getToken(this.scopes);
    if (!token) throw new Error('The credential returned no access token.');
    return token.token;
  }
}

/**
 * A tenant's access tokens by scope, in front of its MSAL credential: a valid token is returned without touching
 * MSAL; concurrent requests for a missing token share one acquisition. Errors are not cached (the next call asks
 * MSAL again), and a request with CAE claims always goes to MSAL.
 */
export class CachedTokenCredential implements TokenCredential {
  private readonly tokens = new Map<string, AccessToken>();
  private readonly pending = new Map<string, Promise<AccessToken | null>>();

  constructor(private readonly inner: () => TokenCredential) {}

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    if (options?.claims) return this.inner().getToken(scopes, options);
    const key = Array.isArray(scopes) ? scopes.join(' ') : scopes;
    const cached = this.tokens.get(key);
    if (cached && Date.now() < (cached.refreshAfterTimestamp ?? cached.expiresOnTimestamp - TOKEN_REFRESH_MARGIN_MS)) return cached;
    let inFlight = this.pending.get(key);
    if (!inFlight) {
      inFlight = this.inner()
        .getToken(scopes, options)
        .then((token) => {
          if (token) this.tokens.set(key, token);
          else this.tokens.delete(key);
          return token;
        })
        .finally(() => this.pending.delete(key));
      this.pending.set(key, inFlight);
    }
    return inFlight;
  }
}

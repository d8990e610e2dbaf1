/**
 * What the product's config library supplies to the Entra client (this library never reads the environment).
 * The same values point at real Entra (authority https://login.microsoftonline.com, Graph
 * https://graph.microsoft.com) or at entra-sim; there is no simulator-only branch.
 */
export interface EntraClientOptions {
  /** Identity authority host, e.g. https://login.microsoftonline.com. */
  authorityHost: string;
  /** Graph base URL without version, e.g. https://graph.microsoft.com. */
  graphBaseUrl: string;
  /** Token scope; Graph's resource URI is the same in every public-cloud deployment. */
  graphScope?: string;
  /** The orchestrator app's client id (multi-tenant app registered in the MSP tenant). */
  clientId: string;
  /** PEM holding the private key and certificate (preferred credential). */
  certificatePath?: string;
  /** Alternative to certificatePath: the same PEM as a string (e.g. decrypted from the secret store). */
  certificatePem?: string;
  /** Alternative credential when no certificate is configured. */
  clientSecret?: string;
  /** Send the x5c chain in assertions (subject-name/issuer auth). */
  sendCertificateChain?: boolean;
  /** How many tenants keep their cached access tokens + Graph client. */
  lruSize: number;
  /** How many tenants keep a full MSAL credential (only used to acquire tokens); default 64, at most `lruSize`. */
  credentialCacheSize?: number;
  /** Re-reads after a replication-lag 404 or a duplicate answer (contract §5). */
  replication?: { attempts: number; initialDelayMs: number };
  /** Wait used when a 429 carries no Retry-After; never shorter than what the server says. */
  defaultRetryAfterMs?: number;
}

export const DEFAULT_GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

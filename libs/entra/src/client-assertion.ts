import { constants, createHash, createPrivateKey, KeyObject, randomUUID, sign, X509Certificate } from 'node:crypto';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
/** Entra accepts a client assertion for at most 10 minutes; MSAL signs them for that long too. */
const ASSERTION_LIFETIME_S = 600;

const base64url = (text: string): string => Buffer.from(text).toString('base64url');

/**
 * Client assertions (certificate credentials, contract §2) signed with the orchestrator certificate parsed once per
 * process. ClientCertificateCredential re-parses the PEM on every token request and MSAL imports the private key
 * again for every tenant (0.66 ms of worker CPU per onboarded tenant in a bulk-onboarding profile, beside 0.56 ms
 * for the signature itself, which is now made off the event loop); the assertion
 * itself is the one MSAL makes: PS256 with the certificate's SHA-256 thumbprint (x5t#S256), the certificate chain
 * in x5c when asked, aud = the tenant's token endpoint, iss = sub = the client id, a fresh jti, 10 minutes valid.
 */
export class CertificateAssertions {
  private readonly key: KeyObject;
  private readonly header: string;

  /** Throws when the PEM holds no certificate or no private key, or the key is not the certificate's. */
  constructor(
    pem: string,
    private readonly clientId: string,
    opts: { sendCertificateChain?: boolean } = {},
  ) {
    const certificates = (pem.match(PEM_CERTIFICATE) ?? []).map((c) => new X509Certificate(c));
    const leaf = certificates[0];
    if (!leaf) throw new Error('the PEM holds no certificate');
    try {
      this.key = createPrivateKey(pem);
    } catch {
      throw new Error('the PEM holds no readable private key');
    }
    if (!leaf.checkPrivateKey(this.key)) throw new Error("the PEM's private key does not belong to its (first) certificate");
    this.header = base64url(
      JSON.stringify({
        alg: 'PS256',
        typ: 'JWT',
        'x5t#S256': createHash('sha256').update(leaf.raw).digest('base64url'),
        ...(opts.sendCertificateChain ? { x5c: certificates.map((c) => c.raw.toString('base64')) } : {}),
      }),
    );
  }

  /**
   * A signed assertion for the token endpoint `audience`. The RSA signature (0.8 ms of CPU here) is made on libuv's
   * thread pool, off the event loop that every other request of the worker shares.
   */
  async assertion(audience: string): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const payload = base64url(JSON.stringify({ aud: audience, iss: this.clientId, sub: this.clientId, jti: randomUUID(), nbf: now, iat: now, exp: now + ASSERTION_LIFETIME_S }));
    const input = `${this.header}.${payload}`;
    const signature = await new Promise<Buffer>((resolve, reject) =>
      sign('sha256', Buffer.from(input), { key: this.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, (err, sig) =>
        err ? reject(err) : resolve(sig),
      ),
    );
    return `${input}.${signature.toString('base64url')}`;
  }
}

/** The v2.0 token endpoint of `tenantId` under an authority host (the audience of its client assertions). */
export function tokenEndpoint(authorityHost: string | undefined, tenantId: string): string {
  return `${(authorityHost ?? 'https://login.microsoftonline.com').replace(/\/+$/, '')}/${tenantId}/oauth2/v2.0/token`;
}

import { KeyObject, createHash, generateKeyPairSync } from 'node:crypto';
import { DecodedJwt, decodeJwt, signJws, verifyJws } from './jwt.util';

/** Verified access tokens remembered by TokenSigner.verify. */
export const VERIFIED_CACHE_SIZE = 10_000;

export interface AccessTokenClaims {
  aud: string;
  iss: string;
  tid: string;
  appid: string;
  roles: string[];
  oid: string | null;
  exp: number;
}

/**
 * The simulator's token-signing key (fresh per process). Access tokens are RS256 JWTs with a `kid` published at
 * /{tenant}/discovery/v2.0/keys, like Entra's; Graph routes verify them with the same key.
 */
export class TokenSigner {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  readonly kid: string;

  constructor(private readonly verifiedCacheSize = VERIFIED_CACHE_SIZE) {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
    this.kid = createHash('sha256').update(this.publicKey.export({ format: 'der', type: 'spki' })).digest('base64url').slice(0, 27);
  }

  jwks(): { keys: Array<Record<string, unknown>> } {
    const jwk = this.publicKey.export({ format: 'jwk' });
    return { keys: [{ kty: 'RSA', use: 'sig', kid: this.kid, x5t: this.kid, n: jwk.n, e: jwk.e, issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0' }] };
  }

  issue(claims: Omit<AccessTokenClaims, 'exp' | 'iss'> & { ttlSeconds: number }): string {
    const now = Math.floor(Date.now() / 1000);
    const { ttlSeconds, ...rest } = claims;
    return signJws(
      { typ: 'JWT', alg: 'RS256', kid: this.kid, x5t: this.kid },
      { ...rest, iss: `https://sts.windows.net/${claims.tid}/`, iat: now, nbf: now, exp: now + ttlSeconds, ver: '1.0', idtyp: 'app' },
      this.privateKey,
    );
  }

  /**
   * Tokens whose signature and claims already verified, by token text (at most `verifiedCacheSize`, oldest dropped
   * first): a client sends the same token on every Graph request, and the RSA check was the simulator's largest CPU
   * item after token signing (0.45 ms per onboarded tenant). The lifetime is still checked on every use.
   */
  private readonly verified = new Map<string, AccessTokenClaims>();

  /** Verifies signature and lifetime; undefined for anything not issued (and still valid) by this simulator. */
  verify(token: string): AccessTokenClaims | undefined {
    const known = this.verified.get(token);
    if (known) return known.exp * 1000 < Date.now() ? undefined : known;
    const claims = this.verifyOnce(token);
    if (claims) {
      if (this.verified.size >= this.verifiedCacheSize) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, claims);
    }
    return claims;
  }

  private verifyOnce(token: string): AccessTokenClaims | undefined {
    const jwt: DecodedJwt | undefined = decodeJwt(token);
    if (!jwt || jwt.header['kid'] !== this.kid || !verifyJws(jwt, 'RS256', this.publicKey)) return undefined;
    const p = jwt.payload;
    const exp = p['exp'];
    if (typeof exp !== 'number' || exp * 1000 < Date.now()) return undefined;
    const roles = Array.isArray(p['roles']) ? p['roles'].filter((r): r is string => typeof r === 'string') : [];
    if (typeof p['aud'] !== 'string' || typeof p['tid'] !== 'string' || typeof p['appid'] !== 'string') return undefined;
    return { aud: p['aud'], iss: String(p['iss']), tid: p['tid'], appid: p['appid'], roles, oid: typeof p['oid'] === 'string' ? p['oid'] : null, exp };
  }
}

import { randomBytes } from 'node:crypto';

interface Session {
  userName: string;
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  /** Set when the login did not send disable_antiforgery_token=true: requests must then carry the cookie. */
  antiforgery?: string;
}

export const ANTIFORGERY_COOKIE = 'VBO-XSRF-TOKEN';

/**
 * Access and refresh tokens of the simulated server. Lifetime is a server setting (vb365.md "Auth", default
 * 60 min); `/_sim/faults` can shorten it or expire every token now, to test refresh and re-login.
 */
export class TokenService {
  private readonly byAccess = new Map<string, Session>();
  private readonly byRefresh = new Map<string, Session>();
  logins = 0;
  refreshes = 0;

  constructor(public lifetimeSeconds: number) {}

  issue(userName: string, antiforgery: boolean, now = Date.now()): Session {
    const session: Session = {
      userName,
      accessToken: randomBytes(24).toString('base64url'),
      refreshToken: randomBytes(24).toString('base64url'),
      expiresAt: now + this.lifetimeSeconds * 1000,
      antiforgery: antiforgery ? randomBytes(12).toString('base64url') : undefined,
    };
    this.byAccess.set(session.accessToken, session);
    this.byRefresh.set(session.refreshToken, session);
    this.prune(now);
    return session;
  }

  refresh(refreshToken: string, antiforgery: boolean): Session | undefined {
    const old = this.byRefresh.get(refreshToken);
    if (!old) return undefined;
    this.revoke(old);
    this.refreshes += 1;
    return this.issue(old.userName, antiforgery);
  }

  /** Returns undefined when valid, else why not (the 401 message). */
  check(accessToken: string | undefined, cookieHeader: string | undefined, now = Date.now()): string | undefined {
    if (!accessToken) return 'Authorization has been denied for this request. No bearer token.';
    const session = this.byAccess.get(accessToken);
    if (!session) return 'Authorization has been denied for this request. Invalid or revoked token.';
    if (session.expiresAt <= now) return 'Authorization has been denied for this request. Token expired.';
    if (session.antiforgery && !(cookieHeader ?? '').includes(`${ANTIFORGERY_COOKIE}=${session.antiforgery}`)) {
      return 'Authorization has been denied for this request. Antiforgery token is missing.';
    }
    return undefined;
  }

  logout(accessToken: string): void {
    const session = this.byAccess.get(accessToken);
    if (session) this.revoke(session);
  }

  expireAll(): void {
    for (const s of this.byAccess.values()) s.expiresAt = 0;
  }

  clear(): void {
    this.byAccess.clear();
    this.byRefresh.clear();
    this.logins = 0;
    this.refreshes = 0;
  }

  active(now = Date.now()): number {
    let n = 0;
    for (const s of this.byAccess.values()) if (s.expiresAt > now) n += 1;
    return n;
  }

  private revoke(session: Session): void {
    this.byAccess.delete(session.accessToken);
    this.byRefresh.delete(session.refreshToken);
  }

  private prune(now: number): void {
    if (this.byAccess.size < 10_000) return;
    // Refresh tokens outlive access tokens on real servers; keep a day's worth.
    for (const s of this.byAccess.values()) if (s.expiresAt + 86_400_000 < now) this.revoke(s);
  }
}

import { Vb365Error } from './vb365.errors';
import { parseToken } from './vb365.parse';
import { Vb365Transport } from './vb365-transport';

interface Held {
  access: string;
  refresh: string | null;
  expiresAt: number;
  refreshAt: number;
}

/**
 * One token per VB365 server shared by every concurrent caller in the process: a single in-flight login or
 * refresh is awaited by all (no login stampede). Tokens are refreshed ahead of expiry; a 401 on a call
 * invalidates the token it used and triggers one fresh login.
 */
export class Vb365Auth {
  private held: Held | undefined;
  private inflight: Promise<Held> | undefined;

  constructor(
    private readonly transport: Vb365Transport,
    private readonly username: string,
    private readonly password: string,
    private readonly refreshAheadMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async accessToken(): Promise<string> {
    const held = this.held;
    if (held && this.now() < held.refreshAt) return held.access;
    return (await this.renew(held)).access;
  }

  /** Called after a 401: forget `used` (unless another caller already replaced it). */
  invalidate(used: string): void {
    if (this.held?.access === used) this.held = { ...this.held, refreshAt: 0, expiresAt: 0 };
  }

  async logout(): Promise<void> {
    const held = this.held;
    this.held = undefined;
    if (!held) return;
    await this.transport.expectOk({ method: 'POST', path: '/v8/token/logout', bearer: held.access, idempotent: true });
  }

  private renew(current: Held | undefined): Promise<Held> {
    if (!this.inflight) {
      this.inflight = this.obtain(current).finally(() => {
        this.inflight = undefined;
      });
    }
    return this.inflight;
  }

  private async obtain(current: Held | undefined): Promise<Held> {
    if (current?.refresh) {
      try {
        return this.store(await this.grant({ grant_type: 'refresh_token', refresh_token: current.refresh }));
      } catch (err) {
        // An expired or revoked refresh token is normal after a restart of the server: log in again.
        if (!(err instanceof Vb365Error) || (err.code !== 'UNAUTHORIZED' && err.code !== 'VALIDATION')) throw err;
      }
    }
    return this.store(await this.grant({ grant_type: 'password', username: this.username, password: this.password }));
  }

  private async grant(fields: Record<string, string>): Promise<unknown> {
    // Server-side clients send disable_antiforgery_token (vb365.md "Auth"); otherwise the server also expects a cookie.
    const answer = await this.transport.expectOk({
      method: 'POST',
      path: '/v8/token',
      form: { ...fields, disable_antiforgery_token: 'true' },
      idempotent: true,
    });
    return answer.body;
  }

  private store(body: unknown): Held {
    const t = parseToken(body);
    const lifetimeMs = Math.max(1000, t.expires_in * 1000);
    const now = this.now();
    this.held = {
      access: t.access_token,
      refresh: t.refresh_token,
      expiresAt: now + lifetimeMs,
      refreshAt: now + lifetimeMs - Math.min(this.refreshAheadMs, lifetimeMs / 3),
    };
    return this.held;
  }
}

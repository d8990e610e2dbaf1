import { FastifyInstance } from 'fastify';
import { RestError, invalid } from '../http/rest-error';
import { ANTIFORGERY_COOKIE, TokenService } from './token.service';

export interface AdminAccount {
  username: string;
  password: string;
}

function field(body: Record<string, unknown>, name: string): string | undefined {
  const v = body[name];
  return typeof v === 'string' ? v : typeof v === 'boolean' ? String(v) : undefined;
}

export function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return m?.[1]?.trim();
}

/** POST /v8/token (form or JSON body) and POST /v8/token/logout. */
export function registerAuthRoutes(app: FastifyInstance, tokens: TokenService, account: AdminAccount): void {
  app.post('/v8/token', async (request, reply) => {
    const body = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<string, unknown>;
    const grantType = field(body, 'grant_type') ?? 'password';
    const disableAntiforgery = field(body, 'disable_antiforgery_token')?.toLowerCase() === 'true';
    let session;
    if (grantType === 'password') {
      const username = field(body, 'username');
      const password = field(body, 'password');
      if (!username || !password) throw invalid('Username and password are required for the password grant type.');
      // Windows account names are case-insensitive; the password is not.
      if (username.toLowerCase() !== account.username.toLowerCase() || password !== account.password) {
        throw new RestError(401, 'Invalid username or password.', null);
      }
      tokens.logins += 1;
      session = tokens.issue(account.username, !disableAntiforgery);
    } else if (grantType === 'refresh_token') {
      const refreshToken = field(body, 'refresh_token');
      if (!refreshToken) throw invalid('Refresh token is required for the refresh_token grant type.');
      session = tokens.refresh(refreshToken, !disableAntiforgery);
      if (!session) throw new RestError(401, 'Invalid or expired refresh token.', null);
    } else if (grantType === 'operator' || grantType === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      throw invalid(`Grant type '${grantType}' is not supported by this simulator.`);
    } else {
      throw invalid(`Unsupported grant type '${grantType}'.`);
    }
    if (session.antiforgery) {
      reply.header('set-cookie', `${ANTIFORGERY_COOKIE}=${session.antiforgery}; Path=/; Secure; HttpOnly`);
    }
    const issued = new Date(session.expiresAt - tokens.lifetimeSeconds * 1000);
    return {
      access_token: session.accessToken,
      token_type: 'bearer',
      expires_in: Math.max(0, Math.round((session.expiresAt - Date.now()) / 1000)),
      refresh_token: session.refreshToken,
      userName: session.userName,
      '.issued': issued.toISOString(),
      '.expires': new Date(session.expiresAt).toISOString(),
    };
  });

  app.post('/v8/token/logout', async (request, reply) => {
    const token = bearer(request.headers.authorization);
    if (token) tokens.logout(token);
    return reply.code(204).send();
  });
}

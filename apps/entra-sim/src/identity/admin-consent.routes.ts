import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { consentApp } from '../directory/seed.service';
import type { SimContext } from '../sim-context';
import { aad } from './aad-error';

type ConsentRequest = FastifyRequest<{ Params: { tenant: string }; Querystring: { client_id?: string; redirect_uri?: string; state?: string } }>;

/** Entra shows an error page (no redirect) when the request itself is invalid. */
function errorPage(reply: FastifyReply, code: number, message: string): FastifyReply {
  return reply.code(400).type('text/html; charset=utf-8').send(`<html><body><h1>Sign in</h1><p>AADSTS${code}: ${message}</p></body></html>`);
}

/**
 * Stands in for the customer admin's browser on the admin-consent page (contract §3): a consenting tenant gets the
 * app's SP and its application-permission assignments; a refusing tenant redirects with access_denied.
 */
export function registerAdminConsentRoutes(app: FastifyInstance, ctx: SimContext): void {
  const handler = (req: ConsentRequest, reply: FastifyReply): FastifyReply => {
    const { client_id: clientId = '', redirect_uri: redirectUri = '', state } = req.query;
    const t = ctx.store.findTenant(req.params.tenant);
    if (!t) return errorPage(reply, 90002, aad.tenantNotFound(req.params.tenant).message);
    const simApp = ctx.store.findApp(clientId);
    if (!simApp) return errorPage(reply, 700016, aad.appNotInDirectory(clientId, t.id).message);
    if (!simApp.redirectUris.includes(redirectUri)) {
      return errorPage(reply, 50011, `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${simApp.appId}'.`);
    }
    const url = new URL(redirectUri);
    if (t.refusesConsent) {
      url.searchParams.set('error', 'access_denied');
      url.searchParams.set('error_description', 'AADSTS65004: User declined to consent to access the app.');
    } else {
      consentApp(ctx.store, t, simApp, { appId: simApp.appId, displayName: 'Global Administrator (admin consent)', servicePrincipalId: null });
      url.searchParams.set('admin_consent', 'True');
      url.searchParams.set('tenant', t.id);
    }
    if (state !== undefined) url.searchParams.set('state', state);
    return reply.code(302).header('location', url.toString()).send();
  };
  app.get('/:tenant/adminconsent', handler);
  app.get('/:tenant/v2.0/adminconsent', handler);
}

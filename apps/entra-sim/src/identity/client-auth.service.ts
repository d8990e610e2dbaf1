import { DirectoryStore } from '../directory/directory.store';
import { SimApp, Tenant } from '../directory/directory.types';
import { AadError, aad } from './aad-error';
import { decodeJwt, verifyJws } from './jwt.util';

export const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Entra tolerates clock skew on assertion nbf/exp. */
const SKEW_SECONDS = 300;

export interface ClientCredentialsForm {
  client_id?: string;
  client_secret?: string;
  client_assertion?: string;
  client_assertion_type?: string;
}

/**
 * Verifies a client assertion (contract §2): RS256 + x5t (SHA-1) or PS256 + x5t#S256 (SHA-256), signed by a
 * certificate registered on the app; aud = token endpoint; iss = sub = client id; nbf/exp window.
 */
function verifyAssertion(app: SimApp, assertion: string, tokenEndpoints: string[]): AadError | undefined {
  const jwt = decodeJwt(assertion);
  if (!jwt) return aad.badAssertion('The assertion is not a well-formed JWT.');
  const alg = jwt.header['alg'];
  if (alg !== 'RS256' && alg !== 'PS256') return aad.badAssertion(`Unsupported signing algorithm '${String(alg)}'.`);
  const x5t = jwt.header['x5t'];
  const x5tS256 = jwt.header['x5t#S256'];
  const cert = app.certificates.find((c) => (typeof x5tS256 === 'string' && c.x5tS256 === x5tS256) || (typeof x5t === 'string' && c.x5t === x5t));
  if (!cert) return aad.badAssertion(`The certificate with identifier used to sign the client assertion is not registered on application ${app.appId}.`);
  if (!verifyJws(jwt, alg, cert.publicKey)) return aad.badAssertion('The signature does not match the registered certificate.');
  const p = jwt.payload;
  if (p['iss'] !== app.appId || p['sub'] !== app.appId) return aad.badAssertion('The iss and sub claims must be the client id.');
  const aud = typeof p['aud'] === 'string' ? p['aud'].toLowerCase().split('?')[0] : '';
  if (!tokenEndpoints.includes(aud ?? '')) return aad.badAssertion(`The audience '${String(p['aud'])}' is not this token endpoint.`);
  const now = Date.now() / 1000;
  const exp = p['exp'];
  const nbf = p['nbf'];
  if (typeof exp !== 'number' || exp + SKEW_SECONDS < now) return aad.assertionTimeWindow();
  if (typeof nbf === 'number' && nbf - SKEW_SECONDS > now) return aad.assertionTimeWindow();
  return undefined;
}

/** Authenticates a client_credentials request: returns the app, or the exact Entra error to answer. */
export function authenticateClient(
  store: DirectoryStore,
  t: Tenant,
  form: ClientCredentialsForm,
  tokenEndpoints: string[],
): { app: SimApp } | { error: AadError } {
  const clientId = form.client_id ?? '';
  const app = store.findApp(clientId);
  if (!app) return { error: aad.appNotInDirectory(clientId, t.id) };
  if (!store.spByAppId(t, app.appId)) {
    return { error: t.missingSpError === 7000229 ? aad.missingServicePrincipal(app.appId) : aad.appNotInDirectory(app.appId, t.id) };
  }
  if (form.client_secret !== undefined) {
    return app.secrets.includes(form.client_secret) ? { app } : { error: aad.wrongSecret(app.appId) };
  }
  if (form.client_assertion !== undefined && form.client_assertion_type === ASSERTION_TYPE) {
    const err = verifyAssertion(app, form.client_assertion, tokenEndpoints);
    return err ? { error: err } : { app };
  }
  return { error: aad.noCredential() };
}

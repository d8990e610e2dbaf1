import { EntraClientOptions } from './entra-client.options';
import { fromAadErrorBody, isEndpointResolutionFailure } from './entra-error.mapper';
import { EntraError, entraError } from './entra.errors';

/**
 * MSAL turns a failed openid-configuration request into "endpoints_resolution_error" and drops Entra's body,
 * so an unknown tenant (AADSTS90002, contract §2 "also on the metadata request") would look like a generic
 * failure. When that happens we fetch the same document once ourselves and classify its error_codes.
 */
export async function diagnoseAuthority(err: EntraError, tenantId: string, opts: EntraClientOptions): Promise<EntraError> {
  if (!isEndpointResolutionFailure(err.cause ?? err)) return err;
  const url = `${opts.authorityHost.replace(/\/$/, '')}/${encodeURIComponent(tenantId)}/v2.0/.well-known/openid-configuration`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    if (res.ok) return entraError('TRANSIENT', `${err.message} (authority metadata is reachable now)`, err.info, err);
    if (res.status === 429 || res.status >= 500) return entraError(res.status === 429 ? 'THROTTLED' : 'TRANSIENT', err.message, { ...err.info, status: res.status, ...(res.status === 429 ? { retryAfterMs: opts.defaultRetryAfterMs ?? 60_000 } : {}) }, err);
    const body: unknown = await res.json().catch(() => undefined);
    const code = fromAadErrorBody(body);
    return code ? entraError(code, `${err.message}: ${JSON.stringify(body).slice(0, 300)}`, { ...err.info, status: res.status }, err) : err;
  } catch (e) {
    return entraError('TRANSIENT', `${err.message}; the authority ${opts.authorityHost} is unreachable`, err.info, e);
  }
}

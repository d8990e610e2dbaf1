import type { TokenCredentialOptions } from '@azure/identity';
import { EntraClientOptions } from './entra-client.options';
import { fromAadErrorBody, isEndpointResolutionFailure, parseRetryAfter } from './entra-error.mapper';
import { EntraError, entraError } from './entra.errors';

/** The pipeline policy type @azure/identity takes in `additionalPolicies` (from @azure/core-rest-pipeline). */
type PipelinePolicy = NonNullable<TokenCredentialOptions['additionalPolicies']>[number]['policy'];

const METADATA_PATH = /\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/;
const TOKEN_PATH = /\/([^/]+)\/oauth2\/v2\.0\/token$/;
/** A recorded failure older than this is not taken as the cause of an MSAL error. */
const RECORD_TTL_MS = 60_000;

interface AuthorityFailure {
  status: number;
  retryAfterMs?: number;
  body?: string;
  at: number;
}

/**
 * What Entra answered when an authority-metadata request failed, per tenant, seen by a pipeline policy on the
 * identity credentials (MSAL itself keeps only "endpoints_resolution_error"). Diagnosis then needs no second request:
 * re-fetching the document at once came inside the Retry-After of a throttled one (entra-sim counted it in a chaos
 * run), and a plain TRANSIENT from it brought the step back within that Retry-After too.
 */
export class AuthorityFailures {
  private readonly byTenant = new Map<string, AuthorityFailure>();
  /** The same for token requests: @azure/identity reports their 429/5xx without status or Retry-After. */
  private readonly tokenByTenant = new Map<string, AuthorityFailure>();

  readonly policy: PipelinePolicy = {
    name: 'authorityMetadataFailures',
    sendRequest: async (request, next) => {
      const response = await next(request);
      const path = new URL(request.url).pathname;
      const m = METADATA_PATH.exec(path);
      const t = m ? undefined : TOKEN_PATH.exec(path);
      const into = m ? this.byTenant : t ? this.tokenByTenant : undefined;
      if (into) {
        const tenant = decodeURIComponent((m ?? t)![1]!).toLowerCase();
        if (response.status >= 400) {
          into.set(tenant, {
            status: response.status,
            retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
            body: response.bodyAsText ?? undefined,
            at: Date.now(),
          });
        } else into.delete(tenant);
      }
      return response;
    },
  };

  /** The tenant's latest failed metadata response, if recent; consumed. */
  take(tenantId: string): AuthorityFailure | undefined {
    return takeRecent(this.byTenant, tenantId);
  }

  /** The tenant's latest failed token response, if recent; consumed. */
  takeToken(tenantId: string): AuthorityFailure | undefined {
    return takeRecent(this.tokenByTenant, tenantId);
  }
}

function takeRecent(records: Map<string, AuthorityFailure>, tenantId: string): AuthorityFailure | undefined {
  const key = tenantId.toLowerCase();
  const f = records.get(key);
  records.delete(key);
  return f && Date.now() - f.at < RECORD_TTL_MS ? f : undefined;
}

/**
 * MSAL turns a failed openid-configuration request into "endpoints_resolution_error" and drops Entra's body,
 * so an unknown tenant (AADSTS90002, contract §2 "also on the metadata request") would look like a generic
 * failure. When that happens we fetch the same document once ourselves and classify its error_codes.
 */
export async function diagnoseAuthority(err: EntraError, tenantId: string, opts: EntraClientOptions, failures?: AuthorityFailures): Promise<EntraError> {
  if (err.code === 'THROTTLED' && err.info.aadsts?.length) {
    // A throttled token request (AADSTS code, no status from @azure/identity): wait its own Retry-After when Entra
    // sent one — MSAL refuses the same request locally until then (without one, for 60 s: the mapper's default).
    const token = failures?.takeToken(tenantId);
    return token?.retryAfterMs !== undefined ? entraError('THROTTLED', err.message, { ...err.info, status: token.status, retryAfterMs: token.retryAfterMs }, err) : err;
  }
  if (!isEndpointResolutionFailure(err.cause ?? err)) return err;
  const seen = failures?.take(tenantId);
  if (seen) return fromMetadataAnswer(err, seen, opts);
  // No answer recorded (the request never got one, or it is older than the record keeps): fetch the document once.
  const url = `${opts.authorityHost.replace(/\/$/, '')}/${encodeURIComponent(tenantId)}/v2.0/.well-known/openid-configuration`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    if (res.ok) return entraError('TRANSIENT', `${err.message} (authority metadata is reachable now)`, err.info, err);
    const body = await res.text().catch(() => undefined);
    return fromMetadataAnswer(err, { status: res.status, retryAfterMs: parseRetryAfter(res.headers.get('retry-after')), body, at: Date.now() }, opts);
  } catch (e) {
    return entraError('TRANSIENT', `${err.message}; the authority ${opts.authorityHost} is unreachable`, err.info, e);
  }
}

/** Classifies a failed authority-metadata answer, recorded by the policy or fetched: 429, 5xx, or an AADSTS body. */
function fromMetadataAnswer(err: EntraError, f: AuthorityFailure, opts: EntraClientOptions): EntraError {
  const info = { ...err.info, status: f.status };
  if (f.status === 429) return entraError('THROTTLED', err.message, { ...info, retryAfterMs: f.retryAfterMs ?? opts.defaultRetryAfterMs ?? 60_000 }, err);
  if (f.status >= 500) return entraError('TRANSIENT', err.message, { ...info, ...(f.retryAfterMs !== undefined ? { retryAfterMs: f.retryAfterMs } : {}) }, err);
  let body: unknown;
  try {
    body = f.body ? JSON.parse(f.body) : undefined;
  } catch {
    body = undefined;
  }
  const code = fromAadErrorBody(body);
  return code ? entraError(code, `${err.message}: ${(f.body ?? '').slice(0, 300)}`, info, err) : err;
}

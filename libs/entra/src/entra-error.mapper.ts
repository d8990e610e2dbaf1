import { EntraError, EntraErrorCode, EntraErrorDetails, entraError } from './entra.errors';

export interface ErrorContext {
  tenantId?: string;
  operation?: string;
  /** The Graph application permission the operation needs, named in FORBIDDEN errors. */
  requiredPermission?: string;
  defaultRetryAfterMs?: number;
}

/** The parts of a Graph client GraphError we branch on (contract §5). */
export interface GraphFailure {
  status: number;
  code: string;
  message: string;
  retryAfterMs?: number;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Retry-After is seconds or an HTTP date; rounded up so the wait is never shorter than the server's. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds * 1000));
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function header(headers: unknown, name: string): string | undefined {
  if (!isRecord(headers)) return undefined;
  const get = headers['get'];
  if (typeof get === 'function') {
    const v: unknown = get.call(headers, name);
    return typeof v === 'string' ? v : undefined;
  }
  const v = headers[name] ?? headers[name.toLowerCase()];
  return typeof v === 'string' ? v : undefined;
}

export function readGraphFailure(e: unknown): GraphFailure | undefined {
  if (!isRecord(e) || typeof e['statusCode'] !== 'number') return undefined;
  const retryAfter = parseRetryAfter(header(e['headers'], 'Retry-After'));
  return {
    status: e['statusCode'],
    code: typeof e['code'] === 'string' ? e['code'] : '',
    message: typeof e['message'] === 'string' ? e['message'] : '',
    ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}),
  };
}

/** Messages of an error and its causes (identity errors reach us wrapped by the Graph client, text only). */
function messages(e: unknown, depth = 0): string {
  if (depth > 5) return '';
  if (!isRecord(e)) return typeof e === 'string' ? e : '';
  // The Graph client keeps a network failure (TypeError "fetch failed", cause ECONNRESET) in `body`.
  const own = [e['message'], e['code'], typeof e['body'] === 'string' ? e['body'] : undefined].filter((x): x is string => typeof x === 'string' && x !== '');
  return [...own, messages(e['body'], depth + 1), messages(e['cause'], depth + 1)].filter(Boolean).join('\n');
}

/** AADSTS codes from @azure/identity's AuthenticationError (errorResponse.errorCodes) or from the text. */
export function aadstsCodes(e: unknown): number[] {
  if (isRecord(e) && isRecord(e['errorResponse'])) {
    const codes = e['errorResponse']['errorCodes'] ?? e['errorResponse']['error_codes'];
    if (Array.isArray(codes) && codes.length) return codes.filter((c): c is number => typeof c === 'number');
  }
  return [...new Set([...messages(e).matchAll(/AADSTS(\d+)/g)].map((m) => Number(m[1])))];
}

/** How long MSAL refuses a token request locally after a 429/5xx without Retry-After (msal-common ThrottlingUtils). */
export const MSAL_THROTTLE_MS = 60_000;

const NETWORK_CODES = /ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|EAI_AGAIN|UND_ERR_SOCKET|socket hang up|fetch failed|network/i;

function fromAadsts(codes: number[]): EntraErrorCode | undefined {
  for (const c of codes) {
    if (c === 90002) return 'TENANT_NOT_FOUND';
    if (c === 700016 || c === 7000229 || c === 65001) return 'CONSENT_MISSING';
    if ([7000215, 700027, 700024, 7000218, 7000222, 700023].includes(c)) return 'CREDENTIAL_INVALID';
    // The token endpoint's throttling and outage answers (`temporarily_unavailable`), see toEntraError.
    if (c === 50196 || c === 90033) return 'THROTTLED';
  }
  return codes.length ? 'PERMANENT' : undefined;
}

function fromGraph(f: GraphFailure): EntraErrorCode {
  if (f.status === 429) return 'THROTTLED';
  if (f.status >= 500 || f.status === 408) return 'TRANSIENT';
  if (f.status === 401) return f.code === 'Authorization_IdentityNotFound' ? 'CONSENT_MISSING' : 'CREDENTIAL_INVALID';
  if (f.status === 403) return 'FORBIDDEN';
  if (f.status === 404) return 'NOT_FOUND';
  return 'PERMANENT';
}

/** MSAL reports a failed authority-metadata request only as endpoints_resolution_error, without the body. */
export const isEndpointResolutionFailure = (e: unknown): boolean => /endpoints_resolution_error/.test(messages(e));

/** Classifies an Entra error body (token or metadata endpoint) by its error_codes; undefined if none. */
export function fromAadErrorBody(body: unknown): EntraErrorCode | undefined {
  if (!isRecord(body) || !Array.isArray(body['error_codes'])) return undefined;
  return fromAadsts(body['error_codes'].filter((c): c is number => typeof c === 'number'));
}

/** Maps any failure of @azure/identity or the Graph client to a coded EntraError with a human hint. */
export function toEntraError(e: unknown, ctx: ErrorContext = {}): EntraError {
  if (e instanceof EntraError) return e;
  const base: EntraErrorDetails = { tenantId: ctx.tenantId, operation: ctx.operation };
  const text = messages(e);
  const graph = readGraphFailure(e);
  const codes = aadstsCodes(e);
  const identityStatus = isRecord(e) && typeof e['statusCode'] === 'number' ? e['statusCode'] : Number(/Status code: (\d+)/.exec(text)?.[1] ?? NaN);
  const where = `${ctx.operation ?? 'Entra request'}${ctx.tenantId ? ` in tenant ${ctx.tenantId}` : ''}`;
  const first = text.split('\n').find((l) => l.trim()) ?? String(e);

  // A 429 or 5xx is throttling or an outage whatever AADSTS code its body names (the token endpoint answers them
  // with 50196 or 90033, which would otherwise read as PERMANENT and fail the run for good).
  // A token request answered 429 or 5xx through every retry of @azure/identity's pipeline reaches us as an
  // AuthenticationRequiredError: no status, `temporarily_unavailable` and the AADSTS code (50196, 90033) in the text.
  // Entra asks for a wait, and MSAL enforces one: it answers the same request locally until the Retry-After has
  // passed, 60 s without one (ThrottlingUtils) — so it is THROTTLED (a TRANSIENT backoff would spend the step's
  // attempts inside that window and fail the run). Mapped as PERMANENT before, it failed 1 of 200 runs in a CI run.
  let aadCode = identityStatus === 429 || identityStatus >= 500 ? undefined : fromAadsts(codes);
  if (aadCode === 'PERMANENT' && /\btemporarily_unavailable\b/.test(text)) aadCode = 'THROTTLED';
  if (aadCode) {
    const info: EntraErrorDetails = { ...base, aadsts: codes, ...(identityStatus > 0 ? { status: identityStatus } : {}) };
    if (aadCode === 'THROTTLED') info.retryAfterMs = ctx.defaultRetryAfterMs ?? MSAL_THROTTLE_MS;
    return entraError(aadCode, `${where} failed: ${first}`, info, e);
  }

  if (graph && graph.status > 0) {
    const code = fromGraph(graph);
    const info: EntraErrorDetails = { ...base, status: graph.status, vendorCode: graph.code };
    if (code === 'THROTTLED') info.retryAfterMs = graph.retryAfterMs ?? ctx.defaultRetryAfterMs ?? 60_000;
    if (code === 'FORBIDDEN') {
      info.missingPermission = ctx.requiredPermission;
      const hint = `The orchestrator app lacks the Graph application permission ${ctx.requiredPermission ?? '(unknown)'} in this tenant; add it to the app registration and have the tenant admin re-consent.`;
      return entraError(code, `${where} failed: ${graph.code}: ${graph.message}`, info, e, hint);
    }
    return entraError(code, `${where} failed: ${graph.code}: ${graph.message}`, info, e);
  }
  // Token-endpoint throttling / outages (no AADSTS code we classify) and network failures.
  if (identityStatus === 429) return entraError('THROTTLED', `${where} failed: ${first}`, { ...base, status: 429, retryAfterMs: ctx.defaultRetryAfterMs ?? 60_000 }, e);
  if (identityStatus >= 500 || NETWORK_CODES.test(text) || (isRecord(e) && typeof e['code'] === 'string' && NETWORK_CODES.test(e['code']))) {
    return entraError('TRANSIENT', `${where} failed: ${first}`, base, e);
  }
  if (isRecord(e) && e['name'] === 'CredentialUnavailableError') return entraError('CREDENTIAL_INVALID', `${where} failed: ${first}`, base, e);
  return entraError('PERMANENT', `${where} failed: ${first}`, base, e);
}

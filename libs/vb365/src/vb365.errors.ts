import { CodedError } from '@app/common';

export type Vb365ErrorCode = 'THROTTLED' | 'TRANSIENT' | 'UNAUTHORIZED' | 'NOT_FOUND' | 'VALIDATION' | 'CONFLICT' | 'PERMANENT';

/** RESTExceptionInfo.errorCode values (vb365.md "Conventions"); kept open for newer servers. */
export type Vb365VendorCode =
  | 'ProxyOffline'
  | 'OutdatedChangeToken'
  | 'ResourceAccessDenied'
  | 'ResourceNotFound'
  | 'ParameterValidationFailure'
  | 'OrganizationTransfer'
  | 'RepositoryOwnerChangeTooManyLinks'
  | 'Timeout'
  | 'OperationConflict'
  | 'HttpError'
  | (string & { readonly __open?: never });

export class Vb365Error extends CodedError<Vb365ErrorCode> {
  readonly status: number | undefined;
  readonly vendorCode: Vb365VendorCode | undefined;
  /** For THROTTLED (and 503s that say so): how long the server asked us to wait. */
  readonly retryAfterMs: number | undefined;

  constructor(
    code: Vb365ErrorCode,
    message: string,
    opts: { hint?: string; status?: number; vendorCode?: string; retryAfterMs?: number; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(code, message, opts.hint, { ...opts.details, status: opts.status, vendorCode: opts.vendorCode }, { cause: opts.cause });
    this.status = opts.status;
    this.vendorCode = opts.vendorCode;
    this.retryAfterMs = opts.retryAfterMs;
  }

  get retryable(): boolean {
    return this.code === 'TRANSIENT';
  }
}

/** Retry-After is seconds or an HTTP date. */
export function retryAfterMs(header: string | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+(\.\d+)?$/.test(header.trim())) return Math.round(Number(header) * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Maps an HTTP answer to the taxonomy. The server's message is kept: for VALIDATION it is what a human needs. */
export function errorFromResponse(status: number, body: unknown, retryAfter: string | undefined, what: string): Vb365Error {
  const info = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const serverMessage = typeof info.message === 'string' ? info.message : typeof body === 'string' && body ? body.slice(0, 300) : `HTTP ${status}`;
  const vendorCode = typeof info.errorCode === 'string' ? info.errorCode : undefined;
  const base = { status, vendorCode, retryAfterMs: retryAfterMs(retryAfter) };
  const message = `${what}: ${serverMessage}`;
  if (status === 429) return new Vb365Error('THROTTLED', message, { ...base, hint: 'The VB365 server is throttling; wait for Retry-After.' });
  if (status === 401) return new Vb365Error('UNAUTHORIZED', message, { ...base, hint: 'Check the VB365 REST credentials (DOMAIN\\user and password) and that the account is a VB365 administrator.' });
  if (status === 403) return new Vb365Error('PERMANENT', message, { ...base, hint: 'The VB365 account lacks the rights for this operation.' });
  if (status === 404 || vendorCode === 'ResourceNotFound') return new Vb365Error('NOT_FOUND', message, { ...base, hint: 'The object does not exist on the VB365 server (deleted, or not yet synchronized).' });
  if (status === 409 || vendorCode === 'OperationConflict') return new Vb365Error('CONFLICT', message, { ...base, hint: 'The VB365 state changed concurrently or already contains this object; re-read and reconcile.' });
  if (status === 400) {
    const hint = vendorCode === 'OutdatedChangeToken' ? 'The change token expired; resynchronize by listing.' : 'The request was rejected by VB365 validation; see the server message.';
    return new Vb365Error('VALIDATION', message, { ...base, hint });
  }
  if (status === 500 || status === 502 || status === 503 || status === 504 || vendorCode === 'Timeout' || vendorCode === 'ProxyOffline') {
    return new Vb365Error('TRANSIENT', message, { ...base, hint: 'The VB365 server or its proxy is temporarily unavailable; retried with backoff.' });
  }
  return new Vb365Error('PERMANENT', message, { ...base, hint: 'Unexpected VB365 answer; see the message.' });
}

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);

/** Network-level failures: TLS trust problems are permanent (configuration), everything else transient. */
export function errorFromNetwork(err: unknown, what: string): Vb365Error {
  const code = (err as { code?: unknown; cause?: { code?: unknown } }).code ?? (err as { cause?: { code?: unknown } }).cause?.code;
  const text = err instanceof Error ? err.message : String(err);
  if (typeof code === 'string' && TLS_CODES.has(code)) {
    return new Vb365Error('PERMANENT', `${what}: TLS verification failed (${code})`, {
      cause: err,
      hint: 'Configure the VB365 server certificate (or its CA) as the CA bundle; verification is never disabled.',
    });
  }
  return new Vb365Error('TRANSIENT', `${what}: ${typeof code === 'string' ? code : 'network error'} ${text}`, { cause: err, hint: 'The VB365 server could not be reached; retried with backoff.' });
}

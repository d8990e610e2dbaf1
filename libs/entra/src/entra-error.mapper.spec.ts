import { GraphError } from '@microsoft/microsoft-graph-client';
import { parseRetryAfter, toEntraError } from './entra-error.mapper';
import { EntraError } from './entra.errors';

function graphError(status: number, code: string, message: string, headers: Record<string, string> = {}): GraphError {
  const e = new GraphError(status, message);
  e.code = code;
  e.headers = new Headers(headers);
  return e;
}

/** Shape of @azure/identity's AuthenticationError (errorResponse.errorCodes), built without the SDK. */
function authError(status: number, codes: number[]): Error {
  return Object.assign(new Error(`invalid_client Status code: ${status}\nMore details:\nAADSTS${codes[0]}: nope`), {
    name: 'AuthenticationError',
    statusCode: status,
    errorResponse: { error: 'invalid_client', errorDescription: `AADSTS${codes[0]}: nope`, errorCodes: codes },
  });
}

describe('toEntraError taxonomy', () => {
  it.each([
    [authError(400, [90002]), 'TENANT_NOT_FOUND'],
    [authError(400, [700016]), 'CONSENT_MISSING'],
    [authError(401, [7000229]), 'CONSENT_MISSING'],
    [authError(401, [7000215]), 'CREDENTIAL_INVALID'],
    [authError(401, [700027]), 'CREDENTIAL_INVALID'],
    [authError(401, [700024]), 'CREDENTIAL_INVALID'],
    [authError(400, [70011]), 'PERMANENT'],
    // The token endpoint's throttling and outage answers carry AADSTS codes too; a status, when known, decides.
    [authError(429, [50196]), 'THROTTLED'],
    [authError(503, [90033]), 'TRANSIENT'],
    [authError(500, [90033]), 'TRANSIENT'],
    // As @azure/identity surfaces them (AuthenticationRequiredError: no status, the code in the text).
    // MSAL then refuses the same request locally for a while: a wait (THROTTLED), not a backoff.
    [Object.assign(new Error('temporarily_unavailable: Error(s): 90033 - Description: AADSTS90033: A transient error has occurred.'), { name: 'AuthenticationRequiredError' }), 'THROTTLED'],
    [Object.assign(new Error('temporarily_unavailable: Error(s): 50196 - Description: AADSTS50196: request throttled.'), { name: 'AuthenticationRequiredError' }), 'THROTTLED'],
    [Object.assign(new Error('temporarily_unavailable: Error(s): 12345 - Description: AADSTS12345: something new.'), { name: 'AuthenticationRequiredError' }), 'THROTTLED'],
    [graphError(401, 'Authorization_IdentityNotFound', 'The identity of the calling application could not be established.'), 'CONSENT_MISSING'],
    [graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.'), 'CREDENTIAL_INVALID'],
    [graphError(404, 'Request_ResourceNotFound', 'gone'), 'NOT_FOUND'],
    [graphError(409, 'Request_MultipleObjectsWithSameKeyValue', 'dup'), 'PERMANENT'],
    [graphError(503, 'serviceNotAvailable', 'x'), 'TRANSIENT'],
    [graphError(504, 'UnknownError', 'x'), 'TRANSIENT'],
    [Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) }), 'TRANSIENT'],
    [new Error('something else entirely'), 'PERMANENT'],
  ])('%s → %s', (err, code) => {
    const e = toEntraError(err, { tenantId: 't1', operation: 'op' });
    expect(e).toBeInstanceOf(EntraError);
    expect(e.code).toBe(code);
    expect(e.hint).toBeTruthy();
  });

  it('FORBIDDEN names the permission the operation needs', () => {
    const e = toEntraError(graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'), { requiredPermission: 'DelegatedPermissionGrant.ReadWrite.All' });
    expect(e.code).toBe('FORBIDDEN');
    expect(e.info.missingPermission).toBe('DelegatedPermissionGrant.ReadWrite.All');
    expect(e.hint).toContain('DelegatedPermissionGrant.ReadWrite.All');
  });

  it('THROTTLED carries the full Retry-After, with a conservative default when absent', () => {
    expect(toEntraError(graphError(429, 'TooManyRequests', 'x', { 'Retry-After': '7' })).retryAfterMs).toBe(7000);
    expect(toEntraError(graphError(429, 'TooManyRequests', 'x'), { defaultRetryAfterMs: 30_000 }).retryAfterMs).toBe(30_000);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds (rounded up) and HTTP dates, never undercutting', () => {
    expect(parseRetryAfter('2.1')).toBe(2100);
    expect(parseRetryAfter('0.0004')).toBe(1);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

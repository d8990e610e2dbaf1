import { errorFromNetwork, errorFromResponse, retryAfterMs } from './vb365.errors';
import { parseOperators, parsePage, parseToken, schemas } from './vb365.parse';

describe('VB365 error taxonomy', () => {
  it.each([
    [429, undefined, 'THROTTLED'],
    [401, undefined, 'UNAUTHORIZED'],
    [403, 'ResourceAccessDenied', 'PERMANENT'],
    [404, 'ResourceNotFound', 'NOT_FOUND'],
    [409, 'OperationConflict', 'CONFLICT'],
    [400, 'ParameterValidationFailure', 'VALIDATION'],
    [400, 'OutdatedChangeToken', 'VALIDATION'],
    [500, undefined, 'TRANSIENT'],
    [503, undefined, 'TRANSIENT'],
    [418, undefined, 'PERMANENT'],
  ])('maps %i %s to %s', (status, errorCode, code) => {
    const err = errorFromResponse(status, { message: 'server says', errorCode }, '2', 'VB365 GET /v8/x');
    expect(err.code).toBe(code);
    expect(err.message).toContain('server says');
    expect(err.hint).toBeTruthy();
    expect(err.vendorCode).toBe(errorCode);
  });

  it('reads Retry-After as seconds or a date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(retryAfterMs(undefined)).toBeUndefined();
  });

  it('treats TLS trust failures as PERMANENT and socket failures as TRANSIENT', () => {
    expect(errorFromNetwork(Object.assign(new Error('x'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }), 'call').code).toBe('PERMANENT');
    expect(errorFromNetwork(Object.assign(new Error('x'), { code: 'ECONNRESET' }), 'call').code).toBe('TRANSIENT');
  });
});

describe('lenient parsing', () => {
  it('accepts Organizations as a page object or a plain array (v7)', () => {
    const org = { id: 'a', name: 'n', type: 'SomethingNew', region: null };
    expect(parsePage(schemas.organization, [org], 'x').results[0]).toMatchObject({ id: 'a', type: 'SomethingNew', msid: null });
    const page = parsePage(schemas.organization, { offset: 0, limit: 1, results: [org], _links: { next: { href: '/n' } } }, 'x');
    expect(page.links.next).toBe('/n');
  });

  it('keeps unknown enum values, fills nulls and drops unknown member types', () => {
    const ops = parseOperators([
      { id: '1', type: 'User', user: { id: '1', displayName: null, name: 'a@b', type: 'FutureMailbox' } },
      { id: '2', type: 'Device', device: {} },
    ]);
    expect(ops).toEqual([{ id: '1', type: 'User', user: { id: '1', displayName: '', name: 'a@b', type: 'FutureMailbox' } }]);
  });

  it('rejects a token response without an access token as PERMANENT', () => {
    expect(() => parseToken({ token_type: 'bearer' })).toThrow(expect.objectContaining({ code: 'PERMANENT' }));
  });
});

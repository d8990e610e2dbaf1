import { TokenBuckets, costOf } from './token-bucket';

describe('documented token bucket (contract §6)', () => {
  it('costs: grants/users GET 2, other GETs 1, $select and small $top reduce, minimum 1', () => {
    expect(costOf('GET', '/v1.0/oauth2PermissionGrants', {}).ru).toBe(2);
    expect(costOf('GET', '/v1.0/servicePrincipals', {}).ru).toBe(1);
    expect(costOf('GET', '/v1.0/users', { $select: 'id', $top: '5' }).ru).toBe(1);
    expect(costOf('POST', '/v1.0/servicePrincipals', {})).toEqual({ ru: 1, write: true, audit: false });
  });

  it('throttles a small tenant after 3,500 RU in 10 s and refills over time', () => {
    const b = new TokenBuckets();
    const t0 = 1_000_000;
    for (let i = 0; i < 3500; i++) expect(b.take('k', 'small', { ru: 1, write: false, audit: false }, { enabled: true }, t0)).toBeUndefined();
    expect(b.take('k', 'small', { ru: 1, write: false, audit: false }, { enabled: true }, t0)).toBeGreaterThanOrEqual(1);
    expect(b.take('k', 'small', { ru: 1, write: false, audit: false }, { enabled: true }, t0 + 1000)).toBeUndefined();
  });

  it('limits audit reports to 5 requests per 10 s', () => {
    const b = new TokenBuckets();
    for (let i = 0; i < 5; i++) expect(b.take('k', 'large', { ru: 1, write: false, audit: true }, { enabled: true }, 0)).toBeUndefined();
    expect(b.take('k', 'large', { ru: 1, write: false, audit: true }, { enabled: true }, 0)).toBe(10);
  });
});

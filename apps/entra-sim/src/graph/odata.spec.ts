import { matches, parseFilter } from './odata';

describe('OData $filter subset', () => {
  it('parses the filters the product and its tests use', () => {
    const c = parseFilter("clientId eq 'abc' and consentType eq 'AllPrincipals'")!;
    expect(matches({ clientId: 'ABC', consentType: 'AllPrincipals' }, c)).toBe(true);
    expect(matches({ clientId: 'abc', consentType: 'Principal' }, c)).toBe(false);
    const d = parseFilter('activityDateTime ge 2026-01-01T00:00:00Z and activityDateTime le 2026-02-01T00:00:00Z')!;
    expect(matches({ activityDateTime: '2026-01-15T10:00:00.000Z' }, d)).toBe(true);
    expect(matches({ activityDateTime: '2026-03-01T00:00:00.000Z' }, d)).toBe(false);
    const t = parseFilter("targetResources/any(t: t/id eq 'x1')")!;
    expect(matches({ targetResources: [{ id: 'x1' }] }, t)).toBe(true);
    expect(matches({ targetResources: [{ id: 'x2' }] }, t)).toBe(false);
  });

  it('rejects what Graph would reject as unsupported', () => {
    expect(parseFilter('appId has 1')).toBeUndefined();
  });
});

import { generateApiKey, hasScope, parseApiKey, verifySecret } from './api-key';

describe('API keys', () => {
  it('round-trips a generated key and rejects a tampered one', () => {
    const k = generateApiKey();
    const parsed = parseApiKey(k.key)!;
    expect(parsed.prefix).toBe(k.prefix);
    expect(verifySecret(parsed.secret, k.secretHash)).toBe(true);
    const tampered = parsed.secret.slice(0, -1) + (parsed.secret.endsWith('A') ? 'B' : 'A');
    expect(verifySecret(tampered, k.secretHash)).toBe(false);
  });

  it('rejects strings that are not keys without throwing', () => {
    expect(parseApiKey('Bearer nonsense')).toBeUndefined();
    expect(parseApiKey('')).toBeUndefined();
  });

  it('lets admin imply every scope', () => {
    expect(hasScope(['admin'], 'audit:read')).toBe(true);
    expect(hasScope(['tenants:read'], 'tenants:write')).toBe(false);
  });
});

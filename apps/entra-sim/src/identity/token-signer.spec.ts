import { TokenSigner, VERIFIED_CACHE_SIZE } from './token-signer';

describe('TokenSigner.verify', () => {
  const signer = new TokenSigner();
  const issue = (ttlSeconds = 3600, tid = 't1') => signer.issue({ aud: 'https://graph.microsoft.com', tid, appid: 'app', roles: ['Application.ReadWrite.All'], oid: null, ttlSeconds });

  afterEach(() => jest.restoreAllMocks());

  it('checks the signature of a token once, and its lifetime on every use', async () => {
    const token = issue(60);
    const rsa = jest.spyOn(TokenSigner.prototype as unknown as { verifyOnce(t: string): unknown }, 'verifyOnce');
    expect(signer.verify(token)).toMatchObject({ tid: 't1', appid: 'app', roles: ['Application.ReadWrite.All'] });
    expect(signer.verify(token)).toMatchObject({ tid: 't1' });
    expect(rsa).toHaveBeenCalledTimes(1);
    const now = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(now + 61_000);
    expect(signer.verify(token)).toBeUndefined();
  });

  it('refuses a token with a changed payload or another signer, cached or not', () => {
    const token = issue();
    expect(signer.verify(token)).toBeDefined();
    const [h, , s] = token.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ aud: 'https://graph.microsoft.com', tid: 't2', appid: 'app', roles: ['x'], exp: 9e9 })).toString('base64url')}.${s}`;
    expect(signer.verify(forged)).toBeUndefined();
    expect(new TokenSigner().verify(token)).toBeUndefined();
  });

  it('remembers at most its cache size of tokens (VERIFIED_CACHE_SIZE by default), oldest dropped first', () => {
    expect(VERIFIED_CACHE_SIZE).toBe(10_000);
    const many = new TokenSigner(8);
    const tokens = Array.from({ length: 8 + 5 }, (_, i) => many.issue({ aud: 'a', tid: `t${i}`, appid: 'app', roles: [], oid: null, ttlSeconds: 3600 }));
    for (const t of tokens) expect(many.verify(t)).toBeDefined();
    const kept = (many as unknown as { verified: Map<string, unknown> }).verified;
    expect([...kept.keys()]).toEqual(tokens.slice(5));
  });
});

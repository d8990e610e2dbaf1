import { AccessToken, TokenCredential } from '@azure/identity';
import { CachedTokenCredential, CredentialAuthProvider, TenantConnections } from './tenant-connections';

function fakeCredential(lifetimeMs: number) {
  const calls: string[] = [];
  let fail = false;
  const credential: TokenCredential = {
    async getToken(scopes) {
      calls.push(String(scopes));
      await new Promise((r) => setTimeout(r, 5));
      if (fail) throw new Error('AADSTS7000229: no service principal');
      return { token: `t${calls.length}`, expiresOnTimestamp: Date.now() + lifetimeMs } satisfies AccessToken;
    },
  };
  return { credential, calls, failNext: (f: boolean) => (fail = f) };
}

describe('CachedTokenCredential', () => {
  it('answers from its cache while the token is valid and shares one acquisition between concurrent callers', async () => {
    const f = fakeCredential(60 * 60_000);
    const c = new CachedTokenCredential(() => f.credential);
    const [a, b] = await Promise.all([c.getToken('scope/.default'), c.getToken('scope/.default')]);
    expect(a?.token).toBe('t1');
    expect(b?.token).toBe('t1');
    expect((await c.getToken('scope/.default'))?.token).toBe('t1');
    expect(f.calls).toHaveLength(1);
    expect((await c.getToken('other/.default'))?.token).toBe('t2');
  });

  it('asks MSAL again for a token about to expire, after an error, and for CAE claims', async () => {
    const f = fakeCredential(60_000); // inside the 5-minute refresh margin
    const c = new CachedTokenCredential(() => f.credential);
    await c.getToken('s');
    await c.getToken('s');
    expect(f.calls).toHaveLength(2);
    f.failNext(true);
    await expect(c.getToken('s')).rejects.toThrow('AADSTS7000229');
    f.failNext(false);
    expect((await c.getToken('s'))?.token).toBe('t4');
    await c.getToken('s', { claims: 'e30=' });
    expect(f.calls).toHaveLength(5);
  });
});

describe('TenantConnections', () => {
  it('keeps many tenants but only credentialCacheSize MSAL credentials', () => {
    const conns = new TenantConnections({
      authorityHost: 'https://login.example',
      graphBaseUrl: 'https://graph.example',
      clientId: '11111111-1111-1111-1111-111111111111',
      clientSecret: 'not-a-real-secret',
      lruSize: 100,
      credentialCacheSize: 3,
    });
    for (let i = 0; i < 10; i++) {
      const conn = conns.get(`tenant-${i}`);
      expect(conns.get(`TENANT-${i}`)).toBe(conn);
      // Building the MSAL credential happens on token acquisition; reach it the way getToken does.
      (conns as unknown as { msalCredential(t: string): TokenCredential }).msalCredential(`tenant-${i}`);
    }
    expect(conns.size).toBe(10);
    expect(conns.credentialCount).toBe(3);
  });
});

describe('CredentialAuthProvider', () => {
  it("hands the Graph client the credential's token for its scopes, and fails when there is none", async () => {
    const scopes: unknown[] = [];
    let answer: AccessToken | null = { token: 'tok-1', expiresOnTimestamp: Date.now() + 3_600_000 };
    const credential: TokenCredential = {
      getToken: async (s) => {
        scopes.push(s);
        return answer;
      },
    };
    const provider = new CredentialAuthProvider(credential, ['https://graph.microsoft.com/.default']);
    await expect(provider.getAccessToken()).resolves.toBe('tok-1');
    expect(scopes).toEqual([['https://graph.microsoft.com/.default']]);
    answer = null;
    await expect(provider.getAccessToken()).rejects.toThrow('no access token');
  });
});

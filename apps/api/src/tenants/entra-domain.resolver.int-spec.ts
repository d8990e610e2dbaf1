import { createServer, Server } from 'node:net';
import { parseConfig } from '@app/config';
import { EntraDomainResolver } from './entra-domain.resolver';

/** The failure paths of domain resolution that entra-sim cannot show: nobody listening, or not an authority. */
describe('EntraDomainResolver', () => {
  const resolverFor = (authority: string) =>
    new EntraDomainResolver(parseConfig({ DATABASE_URL: 'postgresql://x@127.0.0.1/x', ENTRA_AUTHORITY_HOST: authority }));

  it('reports an unreachable authority instead of throwing', async () => {
    // A port that was just free: connections are refused.
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    await new Promise<void>((r) => server.close(() => r()));
    const result = await resolverFor(`https://127.0.0.1:${port}`).resolve('contoso.onmicrosoft.com');
    expect(result).toEqual({ ok: false, message: expect.stringContaining('is unreachable') });
  });
});

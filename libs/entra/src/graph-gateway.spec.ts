import { z } from 'zod/v4';
import { EntraClientOptions } from './entra-client.options';
import { EntraError } from './entra.errors';
import { GraphGateway } from './graph-gateway';
import { servicePrincipalSchema } from './graph.schemas';
import { TenantConnections } from './tenant-connections';

/** A Graph answer that does not match its schema is a PERMANENT error naming the fields, on one line. */
describe('GraphGateway response parsing', () => {
  const answering = (body: unknown) =>
    ({ get: () => ({ graph: { api: () => ({ get: async () => body }) } }), authorityFailures: undefined }) as unknown as TenantConnections;
  const c = { operation: 'read service principal', requiredPermission: 'Application.Read.All' };

  it('parses a matching body', async () => {
    const gw = new GraphGateway(answering({ id: 'sp1', appId: 'app1', displayName: 'X', extra: 1 }), {} as EntraClientOptions);
    await expect(gw.get('t1', '/servicePrincipals/sp1', servicePrincipalSchema, c)).resolves.toMatchObject({ id: 'sp1', appId: 'app1' });
  });

  it('names up to three offending fields of a body that does not match', async () => {
    const gw = new GraphGateway(answering({ id: 7, appRoles: 'no' }), {} as EntraClientOptions);
    const err = (await gw.get('t1', '/servicePrincipals/sp1', servicePrincipalSchema, c).catch((e: unknown) => e)) as EntraError;
    expect(err).toBeInstanceOf(EntraError);
    expect(err.code).toBe('PERMANENT');
    expect(err.message).toMatch(/^read service principal: unexpected Graph response: id: .+/);
    expect(err.message).not.toContain('\n');
  });

  it('says "(body)" when the body itself has the wrong type', async () => {
    const gw = new GraphGateway(answering('not json'), {} as EntraClientOptions);
    await expect(gw.get('t1', '/x', z.object({ id: z.string() }), c)).rejects.toThrow(/unexpected Graph response: \(body\): /);
  });
});

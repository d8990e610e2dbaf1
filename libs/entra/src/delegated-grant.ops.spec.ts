import { z } from 'zod/v4';
import { DelegatedGrantOps, unionScopes } from './delegated-grant.ops';
import { GraphGateway } from './graph-gateway';
import { PermissionGrant } from './graph.schemas';

/** A tiny in-memory directory behind the GraphGateway surface the ops use: tests assert on its state. */
class InMemoryGraph {
  grants = new Map<string, PermissionGrant>();
  private next = 1;
  async list(_t: string, _path: string, _s: z.ZodTypeAny): Promise<unknown[]> {
    return [...this.grants.values()].map((g) => ({ ...g }));
  }
  async post(_t: string, _p: string, body: Omit<PermissionGrant, 'id'>): Promise<PermissionGrant> {
    const g = { ...body, id: `g${this.next++}` };
    this.grants.set(g.id, g);
    return g;
  }
  async patch(_t: string, path: string, body: { scope: string }): Promise<void> {
    this.grants.get(path.split('/').pop()!)!.scope = body.scope;
  }
  async delete(_t: string, path: string): Promise<void> {
    this.grants.delete(path.split('/').pop()!);
  }
  snapshot(): string {
    return JSON.stringify([...this.grants.values()]);
  }
}

const grant = (id: string, scope: string, consentType = 'AllPrincipals'): PermissionGrant => ({ id, clientId: 'c', resourceId: 'r', consentType, principalId: consentType === 'Principal' ? 'u1' : null, scope });

describe('DelegatedGrantOps', () => {
  let graph: InMemoryGraph;
  let ops: DelegatedGrantOps;
  beforeEach(() => {
    graph = new InMemoryGraph();
    ops = new DelegatedGrantOps(graph as unknown as GraphGateway);
  });

  it('plan mode reports every repair and leaves the directory untouched', async () => {
    graph.grants.set('a', grant('a', 'openid'));
    graph.grants.set('b', grant('b', 'profile'));
    graph.grants.set('u', grant('u', 'Mail.Read', 'Principal'));
    const before = graph.snapshot();
    const r = await ops.ensure('t', 'c', 'r', ['User.Read'], { plan: true });
    expect(r.changes).toEqual([
      { kind: 'updateGrant', target: 'a', detail: 'openid profile User.Read', applied: false },
      { kind: 'deleteGrant', target: 'b', detail: 'duplicate of a', applied: false },
    ]);
    expect(graph.snapshot()).toBe(before);
  });

  it('applies the same plan: one tenant-wide grant with the union, per-user grant untouched', async () => {
    graph.grants.set('a', grant('a', 'openid'));
    graph.grants.set('b', grant('b', 'profile'));
    graph.grants.set('u', grant('u', 'Mail.Read', 'Principal'));
    await ops.ensure('t', 'c', 'r', ['User.Read']);
    expect([...graph.grants.values()].map((g) => [g.id, g.scope])).toEqual([
      ['a', 'openid profile User.Read'],
      ['u', 'Mail.Read'],
    ]);
    expect((await ops.ensure('t', 'c', 'r', ['User.Read'])).changes).toEqual([]);
  });

  it('unionScopes keeps existing order and ignores case duplicates', () => {
    expect(unionScopes(['User.Read'], ['user.read', 'openid'])).toEqual(['User.Read', 'openid']);
  });
});

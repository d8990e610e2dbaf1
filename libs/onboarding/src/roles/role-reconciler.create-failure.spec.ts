import type { PrismaService } from '@app/db';
import { Vb365Client, Vb365Error } from '@app/vb365';
import type { OutsideClients } from '../clients/clients.module';
import type { RoleDeclarations } from './role-declarations.repository';
import type { RoleChange } from './role-planner';
import { RoleReconciler } from './role-reconciler.service';

/**
 * A create-role POST that fails TRANSIENT is followed by a listing that checks whether the role landed anyway. When
 * that listing is throttled, its Retry-After must reach the engine: swallowing it sent the retried step back after
 * the short transient backoff, inside the Retry-After (6 vb365-sim violations in a chaos run).
 */
describe('RoleReconciler create-role after a transient POST failure', () => {
  // Ownership is recorded by one raw statement (PrismaService.direct with a Prisma.Sql: its text and values).
  const prisma = { direct: jest.fn(async (_sql: { values: unknown[] }) => ({ rows: [], rowCount: 1 })) };
  const reconciler = new RoleReconciler(prisma as unknown as PrismaService, {} as OutsideClients, {} as RoleDeclarations);
  const change = { action: 'create-role', role: 'Helpdesk', model: { name: 'Helpdesk' } } as unknown as RoleChange;
  const apply = (vb365: unknown) =>
    (reconciler as unknown as { applyOne(t: string, o: string, v: Vb365Client, c: RoleChange, d: undefined, now: Date): Promise<boolean> }).applyOne(
      'tenant-1',
      'org-1',
      vb365 as Vb365Client,
      change,
      undefined,
      new Date(),
    );
  const postFails = () => Promise.reject(new Vb365Error('TRANSIENT', 'connection reset'));

  it('a throttled check replaces the POST error, so the engine waits its Retry-After', async () => {
    const throttled = new Vb365Error('THROTTLED', 'Too many requests', { status: 429, retryAfterMs: 2000 });
    const vb365 = { rbac: { create: postFails, listByOrganization: () => Promise.reject(throttled) } };
    await expect(apply(vb365)).rejects.toBe(throttled);
  });

  it('another failure of the check keeps the POST error (the pending row settles it next pass)', async () => {
    const vb365 = { rbac: { create: postFails, listByOrganization: () => Promise.reject(new Vb365Error('TRANSIENT', 'bad gateway')) } };
    await expect(apply(vb365)).rejects.toMatchObject({ code: 'TRANSIENT', message: 'connection reset' });
  });

  it('a role that landed despite the error is owned before the error propagates', async () => {
    prisma.direct.mockClear();
    const vb365 = { rbac: { create: postFails, listByOrganization: () => Promise.resolve([{ id: 'role-9', name: 'helpdesk' }]) } };
    await expect(apply(vb365)).rejects.toMatchObject({ code: 'TRANSIENT' });
    // The pending row before the POST, then the found role.
    expect(prisma.direct).toHaveBeenCalledTimes(2);
    const [pendingValues, foundValues] = prisma.direct.mock.calls.map(([sql]) => sql.values);
    expect(pendingValues).toEqual(expect.arrayContaining([expect.stringMatching(/^pending:/), 'tenant-1', 'Helpdesk', false]));
    expect(foundValues).toEqual(expect.arrayContaining(['role-9', 'tenant-1', 'Helpdesk', false]));
  });
});

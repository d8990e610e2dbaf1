import { join } from 'node:path';
import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { repoRoot } from '@app/common';
import { ConfigModule } from '@app/config';
import { DbModule, Prisma, PrismaService } from '@app/db';
import { createTestDatabase, deleteQueueKeys, RunningSimulator, startSimulator, TestDatabase, testQueuePrefix } from '@app/testing';
import { RESTRbacOperator, Vb365Client } from '@app/vb365';
import { OutsideClientsModule } from '../clients/clients.module';
import { RoleReconciler, RoleReconcileReport } from './role-reconciler.service';
import { RolesDomainModule } from './roles-domain.module';

const SIM_USER = 'VB365\\svc-roles';
const SIM_PASSWORD = 'roles-Passw0rd!';
const CA = join(repoRoot(), '.local', 'certs', 'ca.pem');
const ORG = '5e1e0000-0000-4000-8000-000000000001';
const MSID = '5e1e0000-0000-4000-8000-0000000000aa';
const ALICE_MSID = '5e1e0000-0000-4000-8000-0000000000a1';
const ADMINS_MSID = '5e1e0000-0000-4000-8000-0000000000b1';
const D = 'contoso.example';

const seed = {
  organizations: [
    {
      id: ORG,
      msid: MSID,
      name: 'Contoso',
      officeName: 'contoso.onmicrosoft.com',
      users: [
        { id: 'user-alice', displayName: 'Alice', name: `alice@${D}`, msid: ALICE_MSID },
        { id: 'user-bob', displayName: 'Bob', name: `bob@${D}` },
        { id: 'user-carol', displayName: 'Carol', name: `carol@${D}` },
        { id: 'user-shared', displayName: 'Reception', name: `reception@${D}`, type: 'Shared' },
      ],
      groups: [
        { id: 'group-admins', displayName: 'Helpdesk Admins', name: `helpdesk@${D}`, msid: ADMINS_MSID },
        { id: 'group-exec', displayName: 'Executives', name: `exec@${D}` },
        { id: 'group-dup1', displayName: 'Sales', name: `sales-eu@${D}` },
        { id: 'group-dup2', displayName: 'Sales', name: `sales-us@${D}` },
      ],
      sites: [
        { id: 'site-root', url: 'https://contoso.sharepoint.com', title: 'Root' },
        { id: 'site-hr', url: 'https://contoso.sharepoint.com/sites/hr', parentUrl: 'https://contoso.sharepoint.com', title: 'HR' },
      ],
      teams: [
        { id: '5e1e0000-0000-4000-8000-0000000000f1', displayName: 'Finance', description: 'Finance', mail: `finance@${D}` },
        { id: '5e1e0000-0000-4000-8000-0000000000f2', displayName: 'Legal', description: 'Legal', mail: `legal@${D}` },
      ],
    },
  ],
};

interface SimRole {
  id: string;
  name: string;
  description: string;
  roleType: string;
  operators: { id: string; type: string; user?: { type: string } }[];
  selectedItems: { id: string; type: string; user?: { type: string } }[];
  excludedItems: { id: string; type: string }[];
}

let sim: RunningSimulator;
let db: TestDatabase;
let ctx: INestApplicationContext;
let prisma: PrismaService;
let roles: RoleReconciler;
let console_: Vb365Client; // plays the VB365 console: edits made behind the product's back
let tenantId: string;
const prefix = testQueuePrefix();

const simRoles = async (): Promise<SimRole[]> =>
  (await sim.admin<{ roles: SimRole[] }>(`/_sim/state?organizationId=${ORG}`)).roles;
const simRole = async (name: string): Promise<SimRole | undefined> => (await simRoles()).find((r) => r.name === name);
const ids = (ms: { id: string }[]): string[] => ms.map((m) => m.id).sort();
const orgWrites = async (): Promise<number> =>
  (await sim.admin<{ byOrganization: Record<string, { writes: number }> }>('/_sim/stats')).byOrganization[ORG]?.writes ?? 0;

/** Runs `fn` and returns its report with the VB365 writes the simulator counted meanwhile. */
async function measured(fn: () => Promise<RoleReconcileReport>): Promise<RoleReconcileReport & { simWrites: number }> {
  const before = await orgWrites();
  const report = await fn();
  return { ...report, simWrites: (await orgWrites()) - before };
}

type Ref = { kind: string; ref: string };
async function declare(list: { name: string; description?: string; scope: 'entire_organization' | 'specific_objects'; operators: Ref[]; selectedItems?: Ref[]; excludedItems?: Ref[]; adopt?: boolean }[]) {
  await prisma.roleSpec.deleteMany({ where: { tenantId } });
  await prisma.roleSpec.createMany({
    data: list.map((r) => ({
      tenantId,
      name: r.name,
      description: r.description ?? '',
      scope: r.scope,
      operators: r.operators as unknown as Prisma.InputJsonValue,
      selectedItems: (r.selectedItems ?? []) as unknown as Prisma.InputJsonValue,
      excludedItems: (r.excludedItems ?? []) as unknown as Prisma.InputJsonValue,
      adopt: r.adopt ?? false,
    })),
  });
}

const hr = (over: Partial<Parameters<typeof declare>[0][number]> = {}) => ({
  name: 'HR restore',
  description: 'HR data',
  scope: 'specific_objects' as const,
  operators: [{ kind: 'user', ref: `alice@${D}` }, { kind: 'group', ref: ADMINS_MSID }],
  selectedItems: [{ kind: 'site', ref: 'https://contoso.sharepoint.com/sites/hr/' }, { kind: 'team', ref: 'Finance' }, { kind: 'user', ref: `reception@${D}` }],
  excludedItems: [{ kind: 'group', ref: `exec@${D}` }],
  ...over,
});

beforeAll(async () => {
  sim = await startSimulator('vb365-sim', { VB365_SIM_USERNAME: SIM_USER, VB365_SIM_PASSWORD: SIM_PASSWORD });
  await sim.admin('/_sim/seed', seed);
  db = await createTestDatabase();
  Object.assign(process.env, {
    DATABASE_URL: db.url,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'silent',
    VB365_BASE_URL: sim.urls.api,
    VB365_USERNAME: SIM_USER,
    VB365_PASSWORD: SIM_PASSWORD,
    VB365_CA_BUNDLE: CA,
  });
  @Module({ imports: [ConfigModule, DbModule, OutsideClientsModule, RolesDomainModule] })
  class RolesTestModule {}
  ctx = await NestFactory.createApplicationContext(RolesTestModule, { logger: false });
  prisma = ctx.get(PrismaService);
  roles = ctx.get(RoleReconciler);
  console_ = new Vb365Client({ baseUrl: sim.urls.api!, username: SIM_USER, password: SIM_PASSWORD, caBundlePath: CA, concurrency: 'local' });
  // The organization id is deliberately not set: the reconciler finds it by msid (Entra tenant id).
  tenantId = (await prisma.tenant.create({ data: { displayName: 'Contoso', entraTenantId: MSID, primaryDomain: D } })).id;
  const bob: RESTRbacOperator = { type: 'User', user: { id: 'user-bob', displayName: 'Bob', name: `bob@${D}`, type: 'User' } };
  // Foreign roles (made on the console): one with a name the MSP will declare, one unrelated.
  await console_.rbac.create(ORG, { name: 'Helpdesk', description: 'console', roleType: 'EntireOrganization', operators: [bob], selectedItems: [], excludedItems: [] });
  await console_.rbac.create(ORG, { name: 'Other', description: 'console', roleType: 'EntireOrganization', operators: [bob], selectedItems: [], excludedItems: [] });
});

afterAll(async () => {
  await console_?.close();
  await ctx?.close();
  await sim?.stop();
  await deleteQueueKeys(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix);
  await db?.drop();
});

describe('RoleReconciler against vb365-sim', () => {
  it('dry run plans without writing; unresolved, ambiguous and foreign-name roles fail alone', async () => {
    await declare([
      hr(),
      { name: 'Helpdesk', scope: 'entire_organization', operators: [{ kind: 'group', ref: 'Helpdesk Admins' }] },
      { name: 'Broken', scope: 'specific_objects', operators: [{ kind: 'user', ref: `nobody@${D}` }], selectedItems: [{ kind: 'group', ref: 'Sales' }] },
    ]);
    const dry = await measured(() => roles.reconcile(tenantId, { dryRun: true }));
    expect(dry.simWrites).toBe(0);
    expect(dry.writes).toBe(0);
    expect(dry.changes.map((c) => `${c.action}:${c.target}`)).toEqual(['create-role:HR restore']);
    expect(dry.failures).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ role: 'Broken', code: 'UNRESOLVED', reference: `operators.0 user "nobody@${D}"` }),
        expect.objectContaining({ role: 'Broken', code: 'AMBIGUOUS', reference: 'selectedItems.0 group "Sales"' }),
        expect.objectContaining({ role: 'Helpdesk', code: 'NAME_TAKEN' }),
      ]),
    );
    expect(dry.failures).toHaveLength(3);
    expect(await simRole('HR restore')).toBeUndefined();
    // The organization was found by msid and remembered.
    expect((await prisma.tenant.findUniqueOrThrow({ where: { id: tenantId } })).vb365OrganizationId).toBe(ORG);
  });

  it('applies: creates the resolved role with one POST, leaves the foreign role alone, records ownership', async () => {
    const foreignBefore = await simRole('Helpdesk');
    const run = await measured(() => roles.reconcile(tenantId, { dryRun: false }));
    expect(run.writes).toBe(1);
    expect(run.simWrites).toBe(1);
    const role = (await simRole('HR restore'))!;
    expect(role).toMatchObject({ roleType: 'SpecificObjects', description: 'HR data' });
    expect(ids(role.operators)).toEqual(['group-admins', 'user-alice']);
    expect(ids(role.selectedItems)).toEqual(['5e1e0000-0000-4000-8000-0000000000f1', 'site-hr', 'user-shared']);
    // Organization user type Shared becomes RbacUser SharedMailbox.
    expect(role.selectedItems.find((m) => m.id === 'user-shared')?.user?.type).toBe('SharedMailbox');
    expect(ids(role.excludedItems)).toEqual(['group-exec']);
    expect(await simRole('Helpdesk')).toEqual(foreignBefore);
    expect(await simRole('Broken')).toBeUndefined();
    const owned = await prisma.ownedVb365Role.findMany({ where: { tenantId } });
    expect(owned).toEqual([expect.objectContaining({ vb365RoleId: role.id, name: 'HR restore', adopted: false, lastAppliedAt: expect.any(Date) })]);
    expect(owned[0]!.lastApplied).toMatchObject({ roleType: 'SpecificObjects', operators: expect.arrayContaining([{ type: 'User', id: 'user-alice', ref: `alice@${D}` }]) });
    expect((await prisma.tenant.findUniqueOrThrow({ where: { id: tenantId } })).rolesReconciledAt).not.toBeNull();
  });

  it('a second application makes zero writes', async () => {
    const again = await measured(() => roles.reconcile(tenantId, { dryRun: false }));
    expect(again.simWrites).toBe(0);
    expect(again.changes).toEqual([]);
  });

  it('applies every change kind through PUT and the granular endpoints, and adopts the foreign role when asked', async () => {
    await declare([
      hr({
        description: 'HR and payroll',
        operators: [{ kind: 'user', ref: `alice@${D}` }, { kind: 'user', ref: `bob@${D}` }],
        selectedItems: [{ kind: 'site', ref: 'https://contoso.sharepoint.com/sites/hr' }, { kind: 'group', ref: `exec@${D}` }, { kind: 'user', ref: `reception@${D}` }],
        excludedItems: [{ kind: 'team', ref: `finance@${D}` }],
      }),
      { name: 'Helpdesk', scope: 'entire_organization', operators: [{ kind: 'group', ref: 'Helpdesk Admins' }], excludedItems: [{ kind: 'user', ref: ALICE_MSID }], adopt: true },
      { name: 'Exec', scope: 'entire_organization', operators: [{ kind: 'user', ref: `carol@${D}` }] },
    ]);
    const run = await measured(() => roles.reconcile(tenantId, { dryRun: false }));
    expect(run.failures).toEqual([]);
    expect(run.changes.map((c) => `${c.action}:${c.target}`)).toEqual([
      'adopt-role:Helpdesk',
      'update-role:HR restore',
      'update-role:Helpdesk',
      'add-operators:HR restore',
      'remove-operators:HR restore',
      'remove-excluded-items:HR restore',
      'add-selected-items:HR restore',
      'remove-selected-items:HR restore',
      'add-excluded-items:HR restore',
      'add-operators:Helpdesk',
      'remove-operators:Helpdesk',
      'add-excluded-items:Helpdesk',
      'create-role:Exec',
    ]);
    expect(run.simWrites).toBe(run.writes);
    expect(run.writes).toBe(12);
    const hrRole = (await simRole('HR restore'))!;
    expect(hrRole.description).toBe('HR and payroll');
    expect(ids(hrRole.operators)).toEqual(['user-alice', 'user-bob']);
    expect(ids(hrRole.selectedItems)).toEqual(['group-exec', 'site-hr', 'user-shared']);
    expect(ids(hrRole.excludedItems)).toEqual(['5e1e0000-0000-4000-8000-0000000000f1']);
    const helpdesk = (await simRole('Helpdesk'))!;
    expect(helpdesk.description).toBe('');
    expect(ids(helpdesk.operators)).toEqual(['group-admins']);
    expect(ids(helpdesk.excludedItems)).toEqual(['user-alice']);
    expect(await prisma.ownedVb365Role.findFirst({ where: { tenantId, name: 'Helpdesk' } })).toMatchObject({ vb365RoleId: helpdesk.id, adopted: true });
    expect((await simRole('Other'))!.description).toBe('console');

    // Undeclared owned role deleted; scope change re-creates the role.
    await declare([hr({ scope: 'entire_organization', selectedItems: [], excludedItems: [] }), { name: 'Helpdesk', scope: 'entire_organization', operators: [{ kind: 'group', ref: 'Helpdesk Admins' }], excludedItems: [{ kind: 'user', ref: ALICE_MSID }] }]);
    const next = await measured(() => roles.reconcile(tenantId, { dryRun: false }));
    expect(next.changes.map((c) => `${c.action}:${c.target}`)).toEqual(['delete-role:Exec', 'delete-role:HR restore', 'create-role:HR restore']);
    expect(next.simWrites).toBe(3);
    expect(await simRole('Exec')).toBeUndefined();
    expect((await simRole('HR restore'))!.roleType).toBe('EntireOrganization');
    expect((await measured(() => roles.reconcile(tenantId, { dryRun: false }))).simWrites).toBe(0);
  });

  it('detects drift made on the console (report mode writes nothing), then repairs it (repair mode)', async () => {
    const hrRole = (await simRole('HR restore'))!;
    await console_.rbac.update({ id: hrRole.id, organizationId: ORG, name: 'HR (console)', description: 'edited', roleType: 'EntireOrganization' });
    await console_.rbac.addOperators(hrRole.id, [{ type: 'User', user: { id: 'user-carol', displayName: 'Carol', name: `carol@${D}`, type: 'User' } }]);
    await console_.rbac.remove(hrRole.id, 'operators', ['group-admins']);

    const report = await measured(() => roles.checkDrift(tenantId));
    expect(report.simWrites).toBe(0);
    expect(report.changes.map((c) => `${c.action}:${c.target}`)).toEqual(['update-role:HR restore', 'add-operators:HR restore', 'remove-operators:HR restore']);
    expect(report.changes[0]!.detail).toMatchObject({ from: { name: 'HR (console)', description: 'edited' }, to: { name: 'HR restore' } });
    const stored = await prisma.tenant.findUniqueOrThrow({ where: { id: tenantId } });
    expect(stored.roleDrift).toMatchObject({ mode: 'report', repaired: false, changes: report.changes });
    expect(stored.roleDriftCheckedAt).not.toBeNull();
    expect((await simRole('HR (console)'))).toBeDefined();

    await prisma.tenant.update({ where: { id: tenantId }, data: { roleDriftMode: 'repair' } });
    const repaired = await measured(() => roles.checkDrift(tenantId));
    expect(repaired.simWrites).toBe(3);
    expect(repaired.changes).toEqual(report.changes);
    const fixed = (await simRole('HR restore'))!;
    expect(fixed.description).toBe('HR data');
    expect(ids(fixed.operators)).toEqual(['group-admins', 'user-alice']);
    expect((await prisma.tenant.findUniqueOrThrow({ where: { id: tenantId } })).roleDrift).toMatchObject({ mode: 'repair', repaired: true });

    const clean = await measured(() => roles.checkDrift(tenantId));
    expect(clean.changes).toEqual([]);
    expect(clean.simWrites).toBe(0);
  });

  it('removes only owned roles at offboarding (dry run first)', async () => {
    const dry = await measured(() => roles.removeOwnedRoles(tenantId, { dryRun: true }));
    expect(dry.simWrites).toBe(0);
    expect(dry.changes.map((c) => `${c.action}:${c.target}`).sort()).toEqual(['delete-role:HR restore', 'delete-role:Helpdesk']);
    const run = await measured(() => roles.removeOwnedRoles(tenantId, { dryRun: false }));
    expect(run.simWrites).toBe(2);
    expect((await simRoles()).map((r) => r.name)).toEqual(['Other']);
    expect(await prisma.ownedVb365Role.count({ where: { tenantId } })).toBe(0);
  });

  it('owns a role whose create landed on VB365 while the process died before recording it (found by npm run chaos)', async () => {
    await declare([{ name: 'Crash test', scope: 'entire_organization', operators: [{ kind: 'group', ref: 'Helpdesk Admins' }] }]);
    // What a crash between the POST and the ownership row leaves: the pending row and the role on the server.
    await prisma.ownedVb365Role.create({ data: { tenantId, vb365RoleId: 'pending:1', name: 'Crash test' } });
    const admins: RESTRbacOperator = { type: 'Group', group: { id: 'group-admins', displayName: 'Helpdesk Admins', name: `helpdesk@${D}`, type: 'Office365' } };
    const landed = await console_.rbac.create(ORG, { name: 'Crash test', description: '', roleType: 'EntireOrganization', operators: [admins], selectedItems: [], excludedItems: [] });
    const run = await measured(() => roles.reconcile(tenantId, { dryRun: false }));
    expect(run.failures).toEqual([]);
    expect((await simRoles()).filter((r) => r.name === 'Crash test')).toHaveLength(1);
    expect(await prisma.ownedVb365Role.findMany({ where: { tenantId } })).toEqual([expect.objectContaining({ vb365RoleId: landed.id, name: 'Crash test' })]);
    // A pending row whose create never reached VB365 is dropped and the role created once.
    await console_.rbac.delete(landed.id);
    await prisma.ownedVb365Role.deleteMany({ where: { tenantId } });
    await prisma.ownedVb365Role.create({ data: { tenantId, vb365RoleId: 'pending:2', name: 'Crash test' } });
    const again = await measured(() => roles.reconcile(tenantId, { dryRun: false }));
    expect(again.failures).toEqual([]);
    expect(again.simWrites).toBe(1);
    const owned = await prisma.ownedVb365Role.findMany({ where: { tenantId } });
    expect(owned).toEqual([expect.objectContaining({ vb365RoleId: (await simRole('Crash test'))!.id })]);
  });
});

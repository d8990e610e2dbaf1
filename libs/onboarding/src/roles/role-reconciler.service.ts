import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { CodedError } from '@app/common';
import { Prisma, PrismaService, Tenant } from '@app/db';
import { Vb365Client, Vb365Error } from '@app/vb365';
import { OutsideClients } from '../clients/clients.module';
import { StepChange } from '../runs/step-change';
import { OwnedRoleRow, RoleDeclarations } from './role-declarations.repository';
import { PlanInput, RoleChange, isWrite, planRoles, toStepChange } from './role-planner';
import { RoleReconcileFailure, RoleResolver } from './role-resolver';
import { readRoles } from './vb365-roles.reader';
import { DesiredRole, memberId, memberLabel, nameKey } from './role-state';

/** What every operation answers (the run engine's RolesPort shape): the plan or what was applied, and per-role failures. */
export interface RoleReconcileReport {
  changes: StepChange[];
  failures: RoleReconcileFailure[];
  /** VB365 writes made (0 for a dry run). */
  writes: number;
  /** When a (not dry-run) reconcile started: the tenant's rolesReconciledAt. */
  reconciledAt?: Date;
}

export type RolesErrorCode = 'TENANT_NOT_FOUND' | 'VB365_ORGANIZATION_MISSING';

/** Tenant-level problems (not per role): the run fails with a hint. */
export class RolesError extends CodedError<RolesErrorCode> {}

/** Codes VB365 answers for one role's change: the role fails, other roles go on. Anything else propagates. */
const PER_ROLE_CODES = new Set(['NOT_FOUND', 'VALIDATION', 'CONFLICT']);

const lastAppliedOf = (d: DesiredRole): Prisma.InputJsonValue => ({
  name: d.name,
  description: d.description,
  roleType: d.roleType,
  operators: d.operators.map((m) => ({ type: m.type, id: memberId(m), ref: memberLabel(m) })),
  selectedItems: d.selectedItems.map((m) => ({ type: m.type, id: memberId(m), ref: memberLabel(m) })),
  excludedItems: d.excludedItems.map((m) => ({ type: m.type, id: memberId(m), ref: memberLabel(m) })),
});

/**
 * Keeps a tenant's restore operator roles on VB365 equal to its declared roles: resolve → read → plan (pure)
 * → apply. Ownership (OwnedVb365Role) is recorded in the same step as each VB365 write, so a crash between two
 * changes leaves state the next run re-plans from. THROTTLED/TRANSIENT/UNAUTHORIZED propagate for the run
 * engine to retry; a role's own problems (unresolvable reference, VB365 refusing its change) become failures.
 */
/** vb365_role_id of an ownership row written before the POST that creates the role (see create-role). */
export const PENDING_ROLE_PREFIX = 'pending:';

@Injectable()
export class RoleReconciler {
  constructor(
    private readonly prisma: PrismaService,
    private readonly clients: OutsideClients,
    private readonly declarations: RoleDeclarations,
  ) {}

  /** Makes VB365 match the declared roles (or, with dryRun, only plans). A run step passes the tenant row it holds. */
  async reconcile(tenantOrId: string | Tenant, opts: { dryRun: boolean; adopt?: boolean; leaveReconciledAt?: boolean }): Promise<RoleReconcileReport> {
    const startedAt = new Date();
    const tenant = typeof tenantOrId === 'string' ? await this.tenant(tenantOrId) : tenantOrId;
    const report = await this.run(tenant, { dryRun: opts.dryRun, adoptAll: opts.adopt ?? false });
    if (opts.dryRun) return report;
    // A run step leaves rolesReconciledAt to the engine, which records it with the step's success.
    if (!opts.leaveReconciledAt) await this.prisma.tenant.update({ where: { id: tenant.id }, select: { id: true }, data: { rolesReconciledAt: startedAt } });
    return { ...report, reconciledAt: startedAt };
  }

  /**
   * Re-reads the tenant's roles (console edits included) and reports the differences in the plan format; stored
   * as Tenant.roleDrift. In `repair` mode the plan is applied and the report lists what was repaired.
   */
  async checkDrift(tenantId: string): Promise<RoleReconcileReport> {
    const tenant = await this.tenant(tenantId);
    const startedAt = new Date();
    const repair = tenant.roleDriftMode === 'repair';
    const report = await this.run(tenant, { dryRun: !repair, adoptAll: false });
    await this.prisma.tenant.update({
      where: { id: tenantId },
      data: {
        roleDrift: { mode: tenant.roleDriftMode, repaired: repair, changes: report.changes, failures: report.failures } as unknown as Prisma.InputJsonValue,
        roleDriftCheckedAt: startedAt,
        ...(repair ? { rolesReconciledAt: startedAt } : {}),
      },
    });
    return report;
  }

  /** Offboarding: deletes the roles the product owns for the tenant; foreign roles are never touched. */
  async removeOwnedRoles(tenantId: string, opts: { dryRun: boolean }): Promise<RoleReconcileReport> {
    const tenant = await this.tenant(tenantId);
    if (!(await this.prisma.ownedVb365Role.count({ where: { tenantId } }))) return { changes: [], failures: [], writes: 0 };
    const vb365 = this.clients.vb365Client();
    const organizationId = await this.organizationId(tenant, vb365);
    const owned = await this.settlePendingCreates(tenantId, organizationId, vb365, false);
    if (!owned.length) return { changes: [], failures: [], writes: 0 };
    const ownedIds = new Set(owned.map((o) => o.vb365RoleId));
    const actual = await readRoles(vb365, organizationId, (r) => ownedIds.has(r.id), false);
    const plan = planRoles({ desired: [], held: [], actual, owned: owned.map((o) => ({ roleId: o.vb365RoleId, name: o.name })) });
    return this.execute(tenant, organizationId, vb365, plan.changes, [], [], opts.dryRun);
  }

  private async run(tenant: Tenant, opts: { dryRun: boolean; adoptAll: boolean }): Promise<RoleReconcileReport> {
    const vb365 = this.clients.vb365Client();
    const organizationId = await this.organizationId(tenant, vb365);
    // Declarations and ownership rows in one statement.
    const { roles, duplicates, owned: ownedRows } = await this.declarations.forReconcile(tenant);
    const failures: RoleReconcileFailure[] = duplicates.map((d) => ({
      role: d.name,
      code: 'DUPLICATE_NAME',
      message: `Two declarations are named "${d.name}"${d.template ? ` (template ${d.template.name})` : ''}; rename one (template override).`,
    }));
    const held = duplicates.map((d) => d.name);
    const resolver = new RoleResolver(vb365, organizationId);
    const desired: DesiredRole[] = [];
    for (const d of roles) {
      const res = await resolver.resolveRole(d);
      if ('role' in res) desired.push(res.role);
      else {
        failures.push(...res.failures);
        held.push(d.name);
      }
    }
    const owned = (await this.settlePendingCreates(tenant.id, organizationId, vb365, opts.dryRun, ownedRows)).filter((o) => !o.vb365RoleId.startsWith(PENDING_ROLE_PREFIX));
    const ownedIds = new Set(owned.map((o) => o.vb365RoleId));
    const declaredNames = new Set([...roles, ...duplicates].map((d) => nameKey(d.name)));
    // Members are read only for roles the planner may change: owned ones and foreign ones a declared role may adopt.
    const actual = await readRoles(vb365, organizationId, (r) => ownedIds.has(r.id) || declaredNames.has(nameKey(r.name ?? '')), true);
    const input: PlanInput = { desired, held, actual, owned: owned.map((o) => ({ roleId: o.vb365RoleId, name: o.name })), adoptAll: opts.adoptAll };
    const plan = planRoles(input);
    failures.push(...plan.failures);
    return this.execute(tenant, organizationId, vb365, plan.changes, desired, failures, opts.dryRun);
  }

  private async execute(
    tenant: Tenant,
    organizationId: string,
    vb365: Vb365Client,
    changes: RoleChange[],
    desired: DesiredRole[],
    failures: RoleReconcileFailure[],
    dryRun: boolean,
  ): Promise<RoleReconcileReport> {
    if (dryRun) return { changes: changes.map(toStepChange), failures, writes: 0 };
    const failed = new Set(failures.map((f) => nameKey(f.role)));
    const applied: StepChange[] = [];
    const desiredByKey = new Map(desired.map((d) => [nameKey(d.name), d]));
    /** Roles whose ownership row got its lastApplied with the create (a create is a role's only change). */
    const stamped = new Set<string>();
    const now = new Date();
    let writes = 0;
    for (const c of changes) {
      // Nothing more is done to a role once one of its changes failed (its later changes assume the earlier ones).
      if (failed.has(nameKey(c.role))) continue;
      try {
        const created = await this.applyOne(tenant.id, organizationId, vb365, c, desiredByKey.get(nameKey(c.role)), now);
        if (created) stamped.add(nameKey(c.role));
      } catch (err) {
        if (err instanceof Vb365Error && PER_ROLE_CODES.has(err.code)) {
          failures.push({ role: c.role, code: `VB365_${err.code}`, message: `${toStepChange(c).action}: ${err.message}` });
          failed.add(nameKey(c.role));
          continue;
        }
        throw err;
      }
      applied.push(toStepChange(c));
      if (isWrite(c)) writes++;
    }
    for (const d of desired) {
      if (failed.has(nameKey(d.name)) || stamped.has(nameKey(d.name))) continue;
      await this.prisma.ownedVb365Role.updateMany({ where: { tenantId: tenant.id, name: d.name }, data: { lastApplied: lastAppliedOf(d), lastAppliedAt: now } });
    }
    return { changes: applied, failures, writes };
  }

  /** Applies one change; true when it created the role and recorded `desired` as its lastApplied (at `now`). */
  private async applyOne(tenantId: string, organizationId: string, vb365: Vb365Client, c: RoleChange, desired: DesiredRole | undefined, now: Date): Promise<boolean> {
    const owned = this.prisma.ownedVb365Role;
    switch (c.action) {
      case 'delete-role':
        await vb365.rbac.delete(c.roleId).catch((e: unknown) => {
          // Already gone (deleted on the console since we read it): the goal is reached.
          if (!(e instanceof Vb365Error && e.code === 'NOT_FOUND')) throw e;
        });
        await owned.deleteMany({ where: { vb365RoleId: c.roleId } });
        return false;
      case 'forget-role':
        await owned.deleteMany({ where: { vb365RoleId: c.roleId } });
        return false;
      case 'adopt-role':
        await this.own(tenantId, c.roleId, c.role, true);
        return false;
      case 'update-role':
        await vb365.rbac.update({ id: c.roleId, organizationId, name: c.name, description: c.description, roleType: c.roleType });
        return false;
      case 'add-members':
        if (c.list === 'operators') await vb365.rbac.addOperators(c.roleId, c.members as Parameters<typeof vb365.rbac.addOperators>[1]);
        else if (c.list === 'selectedItems') await vb365.rbac.addSelectedItems(c.roleId, c.members);
        else await vb365.rbac.addExcludedItems(c.roleId, c.members);
        return false;
      case 'remove-members':
        await vb365.rbac.remove(c.roleId, c.list, c.members.map(memberId));
        return false;
      case 'create-role': {
        // Intent first: if this process dies after VB365 created the role but before ownership is recorded, the
        // next pass finds the pending row and owns the same-named role instead of calling it foreign (NAME_TAKEN).
        await this.own(tenantId, `${PENDING_ROLE_PREFIX}${randomUUID()}`, c.role, false);
        let created: string;
        try {
          created = (await vb365.rbac.create(organizationId, c.model)).id;
        } catch (err) {
          // A POST is not retried: a lost answer may hide a created role. Record it if it exists, so the retry
          // sees an owned role rather than a same-named foreign one.
          if (err instanceof Vb365Error && err.code === 'TRANSIENT') {
            const onServer = await vb365.rbac.listByOrganization(organizationId).catch((listErr: unknown) => {
              // A throttled check must be waited out: its Retry-After replaces the POST's plain transient error (when
              // it was swallowed, the step came back after the short transient backoff, inside the Retry-After —
              // vb365-sim counted 6 violations in a chaos run). Any other failure of the check: the pending row
              // settles it on the next pass.
              if (listErr instanceof Vb365Error && (listErr.code === 'THROTTLED' || listErr.retryAfterMs !== undefined)) throw listErr;
              return [];
            });
            const found = onServer.find((r) => nameKey(r.name ?? '') === nameKey(c.model.name));
            if (found) await this.own(tenantId, found.id, c.role, false);
          }
          throw err;
        }
        // The create carried the whole role (the planner makes no other change to it), so what was applied is
        // recorded with the ownership: one statement, not a second one for lastApplied.
        await this.own(tenantId, created, c.role, false, desired && { value: lastAppliedOf(desired), at: now });
        return !!desired;
      }
    }
  }

  /**
   * Resolves creates whose outcome was never recorded (a pending row): the same-named role on VB365, if any, was
   * created by us and is owned from now on; without one the create never happened and the row goes. Returns the
   * tenant's ownership rows as they are afterwards (no further read when nothing was pending, the usual case).
   * `read`: the rows as the caller already read them.
   */
  private async settlePendingCreates(tenantId: string, organizationId: string, vb365: Vb365Client, dryRun: boolean, read?: OwnedRoleRow[]): Promise<OwnedRoleRow[]> {
    const rows = read ?? (await this.prisma.ownedVb365Role.findMany({ where: { tenantId }, select: { vb365RoleId: true, name: true } }));
    const pending = rows.filter((o) => o.vb365RoleId.startsWith(PENDING_ROLE_PREFIX));
    if (!pending.length || dryRun) return rows;
    const owned = new Set(rows.map((o) => o.vb365RoleId));
    const onServer = await vb365.rbac.listByOrganization(organizationId);
    for (const p of pending) {
      const found = onServer.find((r) => !owned.has(r.id) && nameKey(r.name ?? '') === nameKey(p.name));
      if (found) await this.own(tenantId, found.id, p.name, false);
      else await this.prisma.ownedVb365Role.deleteMany({ where: { vb365RoleId: p.vb365RoleId } });
    }
    return this.prisma.ownedVb365Role.findMany({ where: { tenantId }, select: { vb365RoleId: true, name: true } });
  }

  /** Records ownership of `roleId` for the declared role `name`, replacing a stale row of that name. */
  private async own(tenantId: string, roleId: string, name: string, adopted: boolean, lastApplied?: { value: Prisma.InputJsonValue; at: Date }): Promise<void> {
    // One statement (it runs twice per created role): the INSERT reads the DELETE's count, so the stale row is gone
    // before the new one meets the (tenant, name) and id unique constraints.
    await this.prisma.direct(Prisma.sql`
      WITH gone AS (DELETE FROM owned_vb365_roles WHERE tenant_id = ${tenantId}::uuid AND (name = ${name} OR vb365_role_id = ${roleId}) RETURNING 1)
      INSERT INTO owned_vb365_roles (vb365_role_id, tenant_id, name, adopted, created_at, last_applied, last_applied_at)
      SELECT ${roleId}::text, ${tenantId}::uuid, ${name}::text, ${adopted}::boolean, ${new Date()}::timestamptz,
        ${lastApplied ? JSON.stringify(lastApplied.value) : null}::jsonb, ${lastApplied?.at ?? null}::timestamptz FROM (SELECT count(*) FROM gone) AS settled`);
  }

  private async tenant(tenantId: string): Promise<Tenant> {
    const t = await this.prisma.tenant.findUnique({ where: { id: tenantId } });
    if (!t) throw new RolesError('TENANT_NOT_FOUND', `Tenant ${tenantId} does not exist.`);
    return t;
  }

  /** Tenant.vb365OrganizationId, set by the verify-vb365 step; resolved by msid (and stored) when missing. */
  private async organizationId(tenant: Tenant, vb365: Vb365Client): Promise<string> {
    if (tenant.vb365OrganizationId) return tenant.vb365OrganizationId;
    const org = tenant.entraTenantId ? await vb365.organizations.byMsid(tenant.entraTenantId) : undefined;
    if (!org) {
      throw new RolesError('VB365_ORGANIZATION_MISSING', `Tenant ${tenant.displayName} has no VB365 organization.`, 'Add the Microsoft 365 organization to VB365 (with modern app-only authentication), then retry.');
    }
    await this.prisma.tenant.update({ where: { id: tenant.id }, data: { vb365OrganizationId: org.id } });
    tenant.vb365OrganizationId = org.id;
    return org.id;
  }
}

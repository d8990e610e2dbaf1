import { Inject, Injectable } from '@nestjs/common';
import { Tenant } from '@app/db';
import { StepChange } from '../step-change';
import { StepFailure } from '../step-error';
import { StepContext, StepHandler, StepResult } from '../step.types';

export interface RoleFailure {
  role: string;
  reference?: string;
  code: string;
  message: string;
}

export interface RolesReport {
  changes: StepChange[];
  failures: RoleFailure[];
  writes: number;
  /** When the reconcile started (not for a dry run): the tenant's rolesReconciledAt. */
  reconciledAt?: Date;
}

/** What the run engine needs from the declared-roles domain (libs/onboarding/src/roles). */
export interface RolesPort {
  /**
   * Takes the tenant row when the caller holds it (a run step), else its id. `leaveReconciledAt`: the caller records
   * the report's reconciledAt itself (the run engine, with the step's success) instead of a statement of its own.
   */
  reconcile(tenant: string | Tenant, opts: { dryRun: boolean; adopt?: boolean; leaveReconciledAt?: boolean }): Promise<RolesReport>;
  removeOwnedRoles(tenantId: string, opts: { dryRun: boolean }): Promise<RolesReport>;
}

export const ROLES_PORT = Symbol('ROLES_PORT');

function toResult(report: RolesReport): StepResult {
  if (report.failures.length) {
    // Other roles were applied (nothing is half-applied to one role); the step fails so a human fixes the rest.
    const list = report.failures.map((f) => `${f.role}${f.reference ? ` (${f.reference})` : ''}: ${f.message}`).join('; ');
    throw new StepFailure(
      report.failures.length === 1 ? report.failures[0]!.code : 'ROLES_PARTIALLY_APPLIED',
      `${report.failures.length} role(s) could not be applied: ${list}`,
      'Fix the references in the declared roles (PUT /v1/tenants/{id}/restore-operator-roles), then retry the run.',
      { failures: report.failures, appliedChanges: report.changes },
    );
  }
  return { changes: report.changes, output: { writes: report.writes } };
}

/** Step 5: make the tenant's restore operator roles on the VB365 server equal to what the MSP declared. */
@Injectable()
export class ReconcileRolesStep implements StepHandler {
  readonly name = 'reconcile-roles' as const;

  constructor(@Inject(ROLES_PORT) private readonly roles: RolesPort) {}

  async execute(ctx: StepContext): Promise<StepResult> {
    const report = await this.roles.reconcile(ctx.tenant, { dryRun: ctx.dryRun, adopt: ctx.options.adoptRoles, leaveReconciledAt: true });
    const result = toResult(report);
    return report.reconciledAt ? { ...result, tenant: { rolesReconciledAt: report.reconciledAt } } : result;
  }
}

/** Offboarding: delete the roles the product owns for the tenant (never foreign ones). */
@Injectable()
export class RemoveRolesStep implements StepHandler {
  readonly name = 'remove-roles' as const;

  constructor(@Inject(ROLES_PORT) private readonly roles: RolesPort) {}

  async execute(ctx: StepContext): Promise<StepResult> {
    return toResult(await this.roles.removeOwnedRoles(ctx.tenant.id, { dryRun: ctx.dryRun }));
  }
}

import { Prisma, Tenant } from '@app/db';

/**
 * Tenant columns a step learns (StepResult.tenant). The step does not write them: the engine does, in the statement
 * that records the step's success (the next step's mark, or the run's outcome), so learning costs no statement.
 */
export type StepTenantColumns = Partial<
  Pick<Tenant, 'primaryDomain' | 'vb365OrganizationId' | 'rolesReconciledAt' | 'lastSyncAt' | 'lastSyncResult' | 'lastSyncError' | 'consentDrift'>
>;

/** Column of each learnable field (the only names that reach the SQL text), and whether it is JSON. */
const TENANT_COLUMN: Record<keyof StepTenantColumns, { column: string; json?: true }> = {
  primaryDomain: { column: 'primary_domain' },
  vb365OrganizationId: { column: 'vb365_organization_id' },
  rolesReconciledAt: { column: 'roles_reconciled_at' },
  lastSyncAt: { column: 'last_sync_at' },
  lastSyncResult: { column: 'last_sync_result' },
  lastSyncError: { column: 'last_sync_error' },
  consentDrift: { column: 'consent_drift', json: true },
};

/** `col = value` assignments of the learned columns, for an UPDATE tenants SET list; empty when there are none. */
export function tenantAssignments(cols: StepTenantColumns | undefined): Prisma.Sql[] {
  return Object.entries(cols ?? {})
    .filter(([field, value]) => field in TENANT_COLUMN && value !== undefined)
    .map(([field, value]) => {
      const c = TENANT_COLUMN[field as keyof StepTenantColumns];
      return c.json
        ? Prisma.sql`${Prisma.raw(c.column)} = ${value === null ? null : JSON.stringify(value)}::jsonb`
        : Prisma.sql`${Prisma.raw(c.column)} = ${value}`;
    });
}

/** The running mark of a step about to run: its attempt counted, its last error cleared. */
export interface StepRunning {
  id: string;
  attempts: number;
  startedAt: Date;
}

/** A step that succeeded, recorded by the engine's next statement. */
export interface StepDone {
  id: string;
  finishedAt: Date;
  /** JSON text of StepResult.changes and .output. */
  changes: string;
  output: string;
  /** Tenant columns the step learned, written with its success. */
  tenant?: StepTenantColumns;
}

/**
 * Marks a step running only while its run has no cancel requested; RETURNING id, so no row means "cancelled".
 * Raw SQL because it is a fragment of larger statements (the engine's bookkeeping is one statement per step).
 */
export function stepRunningSql(runId: string, step: StepRunning): Prisma.Sql {
  return Prisma.sql`UPDATE run_steps SET status = 'running', attempts = ${step.attempts}, started_at = ${step.startedAt},
      error_code = NULL, error_hint = NULL, error_message = NULL
    WHERE id = ${step.id}::uuid AND EXISTS (SELECT 1 FROM runs WHERE id = ${runId}::uuid AND NOT cancel_requested) RETURNING id`;
}

/** The tenant columns a succeeded step learned, as a statement for a CTE (undefined when it learned none). */
export function stepTenantSql(tenantId: string, step: StepDone): Prisma.Sql | undefined {
  const set = tenantAssignments(step.tenant);
  return set.length ? Prisma.sql`UPDATE tenants SET ${Prisma.join(set)}, updated_at = ${step.finishedAt} WHERE id = ${tenantId}::uuid` : undefined;
}

/** Records a step as succeeded with what it changed and learned. */
export function stepSucceededSql(step: StepDone): Prisma.Sql {
  return Prisma.sql`UPDATE run_steps SET status = 'succeeded', finished_at = ${step.finishedAt}, changes = ${step.changes}::jsonb,
      output = ${step.output}::jsonb WHERE id = ${step.id}::uuid`;
}

import { Prisma, Run, RunStep, Tenant } from './generated/client';
import { PrismaService } from './prisma.service';

/**
 * Column maps (model field → table column) for the rows read with `PrismaService.direct` on hot paths, where
 * Prisma's model queries cost more CPU than the statement itself (docs/database.md "Statements on the hot path").
 * `satisfies Record<keyof Model, string>` makes a field added to the schema a compile error here until it is mapped,
 * and rows.spec.ts checks every column name against Prisma's own data model.
 */
export const TENANT_COLUMNS = {
  id: 'id',
  entraTenantId: 'entra_tenant_id',
  primaryDomain: 'primary_domain',
  displayName: 'display_name',
  tags: 'tags',
  excluded: 'excluded',
  status: 'status',
  statusReason: 'status_reason',
  consentMode: 'consent_mode',
  consentedAt: 'consented_at',
  vb365OrganizationId: 'vb365_organization_id',
  retentionDays: 'retention_days',
  roleDriftMode: 'role_drift_mode',
  rolesChangedAt: 'roles_changed_at',
  rolesReconciledAt: 'roles_reconciled_at',
  roleDrift: 'role_drift',
  roleDriftCheckedAt: 'role_drift_checked_at',
  syncIntervalMinutes: 'sync_interval_minutes',
  lastSyncAt: 'last_sync_at',
  lastSyncResult: 'last_sync_result',
  lastSyncError: 'last_sync_error',
  consentDrift: 'consent_drift',
  consentDriftMode: 'consent_drift_mode',
  consecutiveFailures: 'consecutive_failures',
  parkedAt: 'parked_at',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
} as const satisfies Record<keyof Tenant, string>;

export const RUN_COLUMNS = {
  id: 'id',
  tenantId: 'tenant_id',
  kind: 'kind',
  status: 'status',
  dryRun: 'dry_run',
  activeTenantId: 'active_tenant_id',
  batchId: 'batch_id',
  correlationId: 'correlation_id',
  requestedBy: 'requested_by',
  options: 'options',
  cancelRequested: 'cancel_requested',
  errorCode: 'error_code',
  errorHint: 'error_hint',
  createdAt: 'created_at',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  updatedAt: 'updated_at',
} as const satisfies Record<keyof Run, string>;

export const RUN_STEP_COLUMNS = {
  id: 'id',
  runId: 'run_id',
  name: 'name',
  ordinal: 'ordinal',
  status: 'status',
  attempts: 'attempts',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  errorCode: 'error_code',
  errorHint: 'error_hint',
  errorMessage: 'error_message',
  changes: 'changes',
  output: 'output',
} as const satisfies Record<keyof RunStep, string>;

/**
 * RunStep's DateTime fields, which come back inside a JSON value as ISO strings (json_build_object) and are turned
 * into Dates again; rows.spec.ts checks the list against Prisma's data model.
 */
export const RUN_STEP_DATES = ['startedAt', 'finishedAt'] as const satisfies readonly (keyof RunStep)[];

type Columns = Readonly<Record<string, string>>;

/**
 * `alias.column AS "<prefix><field>"` for every field of a column map: node-postgres then parses each value the way
 * Prisma returns it (timestamptz → Date, jsonb → value, enums and uuids → strings, text[] → string[]).
 */
export function selectColumns(alias: string, columns: Columns, prefix = ''): Prisma.Sql {
  return Prisma.raw(
    Object.entries(columns)
      .map(([field, column]) => `${alias}.${column} AS "${prefix}${field}"`)
      .join(', '),
  );
}

/** The model row under `prefix` in a row selected with selectColumns. */
export function pickRow<T>(row: Record<string, unknown>, columns: Columns, prefix = ''): T {
  const out: Record<string, unknown> = {};
  for (const field of Object.keys(columns)) out[field] = row[prefix + field];
  return out as T;
}

/** A run's steps as one JSON array (ordered by ordinal), for a single-statement read of a run with its steps. */
export function runStepsJsonSql(runIdExpr: string): Prisma.Sql {
  const fields = Object.entries(RUN_STEP_COLUMNS)
    .map(([field, column]) => `'${field}', s.${column}`)
    .join(', ');
  return Prisma.raw(
    `(SELECT coalesce(json_agg(json_build_object(${fields}) ORDER BY s.ordinal), '[]'::json) FROM run_steps s WHERE s.run_id = ${runIdExpr})`,
  );
}

/** Steps read through runStepsJsonSql, with their dates as Dates again. */
export function runStepsFromJson(steps: unknown): RunStep[] {
  return (steps as Record<string, unknown>[]).map((s) => {
    for (const f of RUN_STEP_DATES) if (typeof s[f] === 'string') s[f] = new Date(s[f]);
    return s as unknown as RunStep;
  });
}

export type RunWithStepsAndTenant = Run & { steps: RunStep[]; tenant: Tenant };

/** readRunWithSteps's statement up to its WHERE, built once (it runs at the start of every run pass). */
const RUN_READ = Prisma.sql`SELECT ${selectColumns('r', RUN_COLUMNS)}, ${selectColumns('t', TENANT_COLUMNS, 't.')},
    ${runStepsJsonSql('r.id')} AS "steps" FROM runs r JOIN tenants t ON t.id = r.tenant_id`;

/**
 * A run with its steps (by ordinal) and its tenant, in one statement on the pool: what Prisma's
 * `run.findUnique({ include: { steps: { orderBy: { ordinal: 'asc' } }, tenant: true } })` returns, field for field,
 * for about a third of its CPU (Prisma's include took three statements).
 */
export async function readRunWithSteps(prisma: PrismaService, runId: string): Promise<RunWithStepsAndTenant | null> {
  const { rows } = await prisma.direct(Prisma.sql`${RUN_READ} WHERE r.id = ${runId}::uuid`);
  const row = rows[0];
  if (!row) return null;
  return { ...pickRow<Run>(row, RUN_COLUMNS), steps: runStepsFromJson(row['steps']), tenant: pickRow<Tenant>(row, TENANT_COLUMNS, 't.') };
}

/**
 * A user's text as an ILIKE `%…%` pattern that matches it literally: its wildcards (`%`, `_`) and the escape
 * character are escaped (tenant and audit search).
 */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

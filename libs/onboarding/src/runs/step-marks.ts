import { Prisma } from '@app/db';

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

/** Records a step as succeeded with what it changed and learned. */
export function stepSucceededSql(step: StepDone): Prisma.Sql {
  return Prisma.sql`UPDATE run_steps SET status = 'succeeded', finished_at = ${step.finishedAt}, changes = ${step.changes}::jsonb,
      output = ${step.output}::jsonb WHERE id = ${step.id}::uuid`;
}

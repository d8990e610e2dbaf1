import { Injectable, Logger } from '@nestjs/common';
import { backoffWithJitter } from '@app/common';
import { Prisma, PrismaService, readRunWithSteps, Run, RunStatus, RunStep, Tenant } from '@app/db';
import { classifyStepError, ErrorDisposition } from './step-error';
import { StepName } from './step-catalogue';
import { RunOptions, StepContext } from './step.types';
import { StepDone, StepRunning, stepRunningSql, stepSucceededSql, stepTenantSql } from './step-marks';
import { StepRegistry } from './step-registry';
import { TenantOutcomes } from './tenant-outcomes.service';

/** What the job layer must do after one pass of the engine. */
export type EngineOutcome =
  | { type: 'finished'; status: Extract<RunStatus, 'succeeded' | 'failed' | 'cancelled'> }
  | { type: 'parked'; reason: string }
  | { type: 'delay'; delayMs: number; reason: 'throttled' | 'transient'; step: StepName }
  | { type: 'skipped'; reason: string };

/** TRANSIENT failures of one step before it fails for good. */
export const MAX_TRANSIENT_ATTEMPTS = 6;

type RunWithSteps = Run & { steps: RunStep[]; tenant: Tenant };

/** Bookkeeping writes whose result is not used return only the id (a full row with its JSON columns costs CPU). */
const ID_ONLY = { id: true } as const;

/**
 * Executes a run step by step. Postgres is the source of truth: each step is recorded before and after it runs,
 * completed steps are skipped on redelivery, and a step interrupted by a crash runs again (every step reads before
 * it writes). The engine never sleeps: waits are handed back to the job layer as a delay.
 */
@Injectable()
export class RunEngine {
  private readonly logger = new Logger(RunEngine.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly steps: StepRegistry,
    private readonly outcomes: TenantOutcomes,
  ) {}

  async execute(runId: string): Promise<EngineOutcome> {
    const run = await this.load(runId);
    if (!run) return { type: 'skipped', reason: 'run not found' };
    if (run.status === 'succeeded' || run.status === 'failed' || run.status === 'cancelled') {
      return { type: 'skipped', reason: `run already ${run.status}` };
    }
    if (run.status === 'awaiting_consent') return { type: 'skipped', reason: 'run is waiting for admin consent' };
    if (run.cancelRequested) return this.finish(run, 'cancelled');

    const outputs: StepContext['outputs'] = {};
    const pending = run.steps.filter((step) => {
      if (step.status !== 'succeeded' && step.status !== 'skipped') return true;
      outputs[step.name as StepName] = step.output as Record<string, unknown>;
      return false;
    });
    // The tenant is read once per pass, with the run; a step that changes a column later steps read hands the
    // change back (StepResult.tenant), so they see the tenant as earlier steps left it.
    const tenant = { ...run.tenant };
    // Bookkeeping costs one statement per step: marking a step running also checks that no cancel was requested
    // (and records the step before it as succeeded); the first mark goes with the run's own start.
    const first = pending[0];
    if (!(await this.outcomes.runStarted(run, first && this.runningMark(first)))) return this.finish(run, 'cancelled');
    let done: StepDone | undefined;
    for (const step of pending) {
      if (done && !(await this.advance(run, done, this.runningMark(step)))) return this.finish(run, 'cancelled');
      const result = await this.runStep({ ...run, tenant }, step, outputs);
      if (result.type === 'outcome') return result.outcome;
      Object.assign(tenant, result.done.tenant);
      done = result.done;
    }
    return this.finish(run, 'succeeded', undefined, done);
  }

  /** The values that mark a step running (attempt counted, last error cleared). */
  private runningMark(step: RunStep): StepRunning {
    return { id: step.id, attempts: step.attempts + 1, startedAt: step.startedAt ?? new Date() };
  }

  /**
   * One statement: records the step that just succeeded (with the tenant columns it learned) and marks the next one
   * running, the latter only while the run has no cancel requested. Returns false when the cancel check stopped the
   * mark. (After the last step, the run's outcome statement records it.)
   */
  private async advance(run: Run, done: StepDone, next: StepRunning): Promise<boolean> {
    const learned = stepTenantSql(run.tenantId, done);
    const { rows } = await this.prisma.direct(Prisma.sql`WITH done AS (${stepSucceededSql(done)}), ${learned ? Prisma.sql`t AS (${learned}),` : Prisma.empty}
      next AS (${stepRunningSql(run.id, next)}) SELECT id FROM next`);
    return rows.length === 1;
  }

  private async runStep(
    run: Run & { tenant: StepContext['tenant'] },
    step: RunStep,
    outputs: StepContext['outputs'],
  ): Promise<{ type: 'done'; done: StepDone } | { type: 'outcome'; outcome: EngineOutcome }> {
    const name = step.name as StepName;
    const attempts = step.attempts + 1;
    const ctx: StepContext = { run, tenant: run.tenant, dryRun: run.dryRun, options: run.options as RunOptions, outputs };
    const started = Date.now();
    try {
      const result = await this.steps.get(name).execute(ctx);
      outputs[name] = result.output ?? {};
      this.logger.log({ runId: run.id, tenantId: run.tenantId, step: name, durationMs: Date.now() - started, changes: result.changes.length }, 'step succeeded');
      return {
        type: 'done',
        done: {
          id: step.id,
          finishedAt: new Date(),
          changes: JSON.stringify(result.changes),
          output: JSON.stringify(result.output ?? {}),
          ...(result.tenant && !run.dryRun ? { tenant: result.tenant } : {}),
        },
      };
    } catch (e) {
      const d = classifyStepError(e);
      this.logger.warn({ runId: run.id, tenantId: run.tenantId, step: name, attempt: attempts, code: d.code, kind: d.kind }, `step ${name}: ${d.message}`);
      return { type: 'outcome', outcome: await this.onStepError(run, step, attempts, d) };
    }
  }

  private async onStepError(run: Run, step: RunStep, attempts: number, d: ErrorDisposition): Promise<EngineOutcome> {
    const name = step.name as StepName;
    const pending = (data: Prisma.RunStepUpdateInput) =>
      this.prisma.runStep.update({ where: { id: step.id }, select: ID_ONLY, data: { status: 'pending', errorCode: d.code, errorMessage: d.message, ...data } });
    // A wait the server asked for is kept even when it cannot be recorded: with Postgres going away the job failed,
    // BullMQ retried it at once and the step's requests came inside the Retry-After (4 entra-sim violations in a
    // chaos run around its Postgres restart). The step stays `running` in the database and runs again after the wait.
    const pendingOrWait = async (data: Prisma.RunStepUpdateInput): Promise<void> => {
      try {
        await pending(data);
      } catch (e) {
        this.logger.warn({ runId: run.id, tenantId: run.tenantId, step: name, err: e instanceof Error ? e.message : String(e) }, `step ${name}: could not record the wait; waiting anyway`);
      }
    };
    switch (d.kind) {
      case 'throttled':
        // Throttling does not consume an attempt: the server decides when we may come back.
        await pendingOrWait({ attempts: attempts - 1, errorHint: `Throttled; waiting ${Math.ceil(d.retryAfterMs / 1000)} s (Retry-After).` });
        return { type: 'delay', delayMs: d.retryAfterMs, reason: 'throttled', step: name };
      case 'transient':
        if (attempts < MAX_TRANSIENT_ATTEMPTS) {
          const delayMs = backoffWithJitter(attempts, 1000, 60_000);
          await pendingOrWait({ errorHint: `Temporary failure; retrying in ${Math.ceil(delayMs / 1000)} s.` });
          return { type: 'delay', delayMs, reason: 'transient', step: name };
        }
        return this.failStep(run, step, d.code, d.message, `Still failing after ${attempts} attempts; check the service's health, then retry the run.`);
      case 'consent-missing':
        if (run.dryRun) return this.failStep(run, step, d.code, d.message, d.hint);
        await pending({ errorHint: d.hint });
        await this.outcomes.parkedForConsent(run, d.message);
        return { type: 'parked', reason: d.message };
      case 'permanent':
        return this.failStep(run, step, d.code, d.message, d.hint);
    }
  }

  private async failStep(run: Run, step: RunStep, code: string, message: string, hint: string): Promise<EngineOutcome> {
    await this.prisma.runStep.update({
      where: { id: step.id },
      select: ID_ONLY,
      data: { status: 'failed', finishedAt: new Date(), errorCode: code, errorHint: hint, errorMessage: message },
    });
    return this.finish(run, 'failed', { code, hint, step: step.name });
  }

  private async finish(
    run: Run,
    status: 'succeeded' | 'failed' | 'cancelled',
    error?: { code: string; hint: string; step: string },
    lastStep?: StepDone,
  ): Promise<EngineOutcome> {
    await this.outcomes.runFinished(run, status, error, lastStep);
    return { type: 'finished', status };
  }

  /** The run, its steps and its tenant: one statement (readRunWithSteps). */
  private load(runId: string): Promise<RunWithSteps | null> {
    return readRunWithSteps(this.prisma, runId);
  }
}

import { Run, Tenant } from '@app/db';
import { StepName } from './step-catalogue';
import { StepChange } from './step-change';
import { StepTenantColumns } from './step-marks';

export interface RunOptions {
  keepServicePrincipal?: boolean;
  adoptRoles?: boolean;
}

/**
 * What a step sees: the run, the tenant as read at the start of the pass with the changes earlier steps handed back
 * (StepResult.tenant), and the outputs earlier steps recorded (ids they learned).
 */
export interface StepContext {
  run: Run;
  tenant: Tenant;
  dryRun: boolean;
  options: RunOptions;
  outputs: Partial<Record<StepName, Record<string, unknown>>>;
}

export interface StepResult {
  changes: StepChange[];
  output?: Record<string, unknown>;
  /**
   * Tenant columns the step learned. The step does not write them: the engine records them in the statement that
   * records the step's success, and later steps of the pass see them (merged into their StepContext.tenant).
   */
  tenant?: StepTenantColumns;
}

export interface StepHandler {
  readonly name: StepName;
  execute(ctx: StepContext): Promise<StepResult>;
}

import { Run, Tenant } from '@app/db';
import { StepName } from './step-catalogue';
import { StepChange } from './step-change';

export interface RunOptions {
  keepServicePrincipal?: boolean;
  adoptRoles?: boolean;
}

/** What a step sees: fresh tenant and run rows, and the outputs earlier steps recorded (ids they learned). */
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
}

export interface StepHandler {
  readonly name: StepName;
  execute(ctx: StepContext): Promise<StepResult>;
}

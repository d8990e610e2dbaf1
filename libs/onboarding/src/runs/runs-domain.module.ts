import { Module } from '@nestjs/common';
import { RoleReconciler } from '../roles/role-reconciler.service';
import { RolesDomainModule } from '../roles/roles-domain.module';
import { SyncDomainModule } from '../sync/sync-domain.module';
import { ROLES_PORT } from './steps/roles.steps';
import { BatchService } from './batch.service';
import { RunControl } from './run-control.service';
import { RunEngine } from './run-engine.service';
import { RunLauncher } from './run-launcher.service';
import { RunReaper } from './run-reaper.service';
import { STEP_HANDLERS, StepRegistry } from './step-registry';
import { TenantOutcomes } from './tenant-outcomes.service';
import { Vb365ServerFacts } from './vb365-server-facts.service';

/** The run/step engine for the worker (the api only needs the launcher, control and batches). */
@Module({
  imports: [RolesDomainModule, SyncDomainModule],
  providers: [
    { provide: ROLES_PORT, useExisting: RoleReconciler },RunEngine, RunLauncher, RunReaper, RunControl, BatchService, StepRegistry, TenantOutcomes, Vb365ServerFacts, ...STEP_HANDLERS],
  exports: [RunEngine, RunLauncher, RunReaper, RunControl, BatchService, TenantOutcomes],
})
export class RunsDomainModule {}

import { Module } from '@nestjs/common';
import { BatchService, RunControl, RunLauncher, TenantOutcomes } from '@app/onboarding';
import { BatchesController } from './batches.controller';
import { RunsController } from './runs.controller';

/** Runs, bulk batches, progress (SSE), cancel and retry. The api only records and enqueues; workers execute. */
@Module({
  controllers: [RunsController, BatchesController],
  providers: [RunLauncher, RunControl, BatchService, TenantOutcomes],
  exports: [RunLauncher],
})
export class RunsModule {}

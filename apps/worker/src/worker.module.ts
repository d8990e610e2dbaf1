import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ConfigModule } from '@app/config';
import { DbModule } from '@app/db';
import { JobsModule } from '@app/jobs';
import { OutsideClientsModule, RunsDomainModule } from '@app/onboarding';
import { LoggingModule, MetricsService } from '@app/platform';
import { ProbeHandler } from './probes/probe.handler';
import { BatchesProcessor } from './processors/batches.processor';
import { RunsProcessor } from './processors/runs.processor';
import { SystemProcessor } from './processors/system.processor';

export const PROCESSORS = [SystemProcessor, RunsProcessor, BatchesProcessor];

@Module({
  imports: [
    ConfigModule,
    LoggingModule.forApp('worker'),
    DbModule,
    JobsModule.forRoot(),
    TerminusModule,
    OutsideClientsModule,
    RunsDomainModule,
  ],
  providers: [MetricsService, ProbeHandler, ...PROCESSORS],
})
export class WorkerModule {}

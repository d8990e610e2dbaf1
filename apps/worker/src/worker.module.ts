import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ConfigModule } from '@app/config';
import { DbModule } from '@app/db';
import { JobsModule } from '@app/jobs';
import { OutboxModule, OutsideClientsModule, RunsDomainModule, SyncDomainModule } from '@app/onboarding';
import { LoggingModule, MetricsService } from '@app/platform';
import { ProbeHandler } from './probes/probe.handler';
import { AuditProcessor } from './processors/audit.processor';
import { BatchesProcessor } from './processors/batches.processor';
import { RunsProcessor } from './processors/runs.processor';
import { SystemProcessor } from './processors/system.processor';
import { WebhooksProcessor } from './processors/webhooks.processor';

export const PROCESSORS = [SystemProcessor, RunsProcessor, BatchesProcessor, WebhooksProcessor, AuditProcessor];

@Module({
  imports: [
    ConfigModule,
    LoggingModule.forApp('worker'),
    DbModule,
    JobsModule.forRoot(),
    TerminusModule,
    OutsideClientsModule,
    RunsDomainModule,
    SyncDomainModule,
    OutboxModule,
  ],
  providers: [MetricsService, ProbeHandler, ...PROCESSORS],
})
export class WorkerModule {}

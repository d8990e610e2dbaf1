import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ConfigModule } from '@app/config';
import { DbModule } from '@app/db';
import { JobsModule } from '@app/jobs';
import { LoggingModule, MetricsService } from '@app/platform';
import { ProbeHandler } from './probes/probe.handler';
import { SystemProcessor } from './processors/system.processor';

export const PROCESSORS = [SystemProcessor];

@Module({
  imports: [ConfigModule, LoggingModule.forApp('worker'), DbModule, JobsModule.forRoot(), TerminusModule],
  providers: [MetricsService, ProbeHandler, ...PROCESSORS],
})
export class WorkerModule {}

import { Processor } from '@nestjs/bullmq';
import { Job, UnrecoverableError } from 'bullmq';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { JobCatalogue, QUEUE_SETTINGS } from '@app/jobs';
import { MetricsService } from '@app/platform';
import { ProbeHandler } from '../probes/probe.handler';
import { InstrumentedProcessor } from './instrumented-processor';

type SystemJob = JobCatalogue['system'][keyof JobCatalogue['system']];

@Processor('system', {
  concurrency: QUEUE_SETTINGS.system.concurrency === 'config' ? 1 : QUEUE_SETTINGS.system.concurrency,
  lockDuration: QUEUE_SETTINGS.system.lockDurationMs,
  stalledInterval: QUEUE_SETTINGS.system.stalledIntervalMs,
})
export class SystemProcessor extends InstrumentedProcessor<SystemJob> {
  protected readonly queueName = 'system' as const;

  constructor(
    @InjectPinoLogger(SystemProcessor.name) logger: PinoLogger,
    metrics: MetricsService,
    private readonly probes: ProbeHandler,
  ) {
    super(logger, metrics);
  }

  protected handle(job: Job<SystemJob>): Promise<unknown> {
    const name = job.name as keyof JobCatalogue['system'];
    switch (name) {
      case 'system.probe':
        return this.probes.handle(job.data);
    }
    // A job name this build does not know (an older/newer producer): retrying cannot help.
    throw new UnrecoverableError(`Unknown job ${String(job.name)} on queue system`);
  }
}

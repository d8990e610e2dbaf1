import { OnApplicationBootstrap } from '@nestjs/common';
import { Processor } from '@nestjs/bullmq';
import { Job, UnrecoverableError } from 'bullmq';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { JobCatalogue, JobPayload, JobProducer, QUEUE_SETTINGS } from '@app/jobs';
import { RunReaper } from '@app/onboarding';
import { MetricsService } from '@app/platform';
import { ProbeHandler } from '../probes/probe.handler';
import { InstrumentedProcessor } from './instrumented-processor';

type SystemJobName = keyof JobCatalogue['system'];
type SystemJob = JobCatalogue['system'][SystemJobName];

const REAPER_EVERY_MS = 60_000;

@Processor('system', {
  concurrency: QUEUE_SETTINGS.system.concurrency === 'config' ? 1 : QUEUE_SETTINGS.system.concurrency,
  lockDuration: QUEUE_SETTINGS.system.lockDurationMs,
  stalledInterval: QUEUE_SETTINGS.system.stalledIntervalMs,
})
export class SystemProcessor extends InstrumentedProcessor<SystemJob> implements OnApplicationBootstrap {
  protected readonly queueName = 'system' as const;

  constructor(
    @InjectPinoLogger(SystemProcessor.name) logger: PinoLogger,
    metrics: MetricsService,
    private readonly probes: ProbeHandler,
    private readonly reaper: RunReaper,
    private readonly producer: JobProducer,
  ) {
    super(logger, metrics);
  }

  /** Idempotent across replicas: upsertJobScheduler keeps exactly one "reap-runs" schedule (STYLE.md 11). */
  async onApplicationBootstrap(): Promise<void> {
    await this.producer
      .queue('system')
      .upsertJobScheduler('reap-runs', { every: REAPER_EVERY_MS }, { name: 'system.reap-runs', data: { correlationId: 'schedule:reap-runs' } });
  }

  protected handle(job: Job<SystemJob>): Promise<unknown> {
    const name = job.name as SystemJobName;
    switch (name) {
      case 'system.probe':
        return this.probes.handle(job.data as JobPayload<'system', 'system.probe'>);
      case 'system.reap-runs':
        return this.reaper.reap();
    }
    // A job name this build does not know (an older/newer producer): retrying cannot help.
    throw new UnrecoverableError(`Unknown job ${String(job.name)} on queue system`);
  }
}

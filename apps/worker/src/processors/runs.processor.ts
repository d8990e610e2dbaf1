import { Inject, OnApplicationBootstrap } from '@nestjs/common';
import { Processor } from '@nestjs/bullmq';
import { DelayedError, Job } from 'bullmq';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { AppConfig, APP_CONFIG } from '@app/config';
import { QUEUE_SETTINGS, RunJob } from '@app/jobs';
import { RunEngine } from '@app/onboarding';
import { MetricsService } from '@app/platform';
import { InstrumentedProcessor } from './instrumented-processor';

@Processor('runs', {
  lockDuration: QUEUE_SETTINGS.runs.lockDurationMs,
  stalledInterval: QUEUE_SETTINGS.runs.stalledIntervalMs,
  // Re-delivering a run is safe (completed steps are skipped, the others read first), so a run survives several
  // worker deaths; BullMQ's default (1) failed runs hit by two kills (npm run chaos). The reaper catches the rest.
  maxStalledCount: 5,
  // Concurrency follows WORKER_CONCURRENCY (set at bootstrap).
  concurrency: 1,
})
export class RunsProcessor extends InstrumentedProcessor<RunJob> implements OnApplicationBootstrap {
  protected readonly queueName = 'runs' as const;

  constructor(
    @InjectPinoLogger(RunsProcessor.name) logger: PinoLogger,
    metrics: MetricsService,
    private readonly engine: RunEngine,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super(logger, metrics);
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.worker.concurrency;
  }

  protected async handle(job: Job<RunJob>, token?: string): Promise<unknown> {
    const outcome = await this.engine.execute(job.data.runId);
    if (outcome.type === 'delay') {
      // Wait exactly what the server asked (THROTTLED) or the backoff (TRANSIENT) without holding a worker slot
      // and without consuming a BullMQ attempt; other tenants' runs proceed meanwhile.
      this.logger.info({ runId: job.data.runId, tenantId: job.data.tenantId, ...outcome }, 'run delayed');
      await job.moveToDelayed(Date.now() + outcome.delayMs, token);
      throw new DelayedError();
    }
    this.logger.info({ runId: job.data.runId, tenantId: job.data.tenantId, correlationId: job.data.correlationId, outcome }, 'run pass finished');
    return outcome;
  }
}

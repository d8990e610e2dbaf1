import { Processor } from '@nestjs/bullmq';
import { Job } from 'bullmq';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { BatchFanOutJob, QUEUE_SETTINGS } from '@app/jobs';
import { BatchService } from '@app/onboarding';
import { MetricsService } from '@app/platform';
import { InstrumentedProcessor } from './instrumented-processor';

@Processor('batches', {
  concurrency: QUEUE_SETTINGS.batches.concurrency === 'config' ? 1 : QUEUE_SETTINGS.batches.concurrency,
  lockDuration: QUEUE_SETTINGS.batches.lockDurationMs,
  stalledInterval: QUEUE_SETTINGS.batches.stalledIntervalMs,
})
export class BatchesProcessor extends InstrumentedProcessor<BatchFanOutJob> {
  protected readonly queueName = 'batches' as const;

  constructor(
    @InjectPinoLogger(BatchesProcessor.name) logger: PinoLogger,
    metrics: MetricsService,
    private readonly batches: BatchService,
  ) {
    super(logger, metrics);
  }

  protected handle(job: Job<BatchFanOutJob>): Promise<unknown> {
    return this.batches.fanOut(job.data.batchId, job.data.correlationId);
  }
}

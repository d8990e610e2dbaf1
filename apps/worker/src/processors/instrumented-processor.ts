import { WorkerHost } from '@nestjs/bullmq';
import { DelayedError, Job } from 'bullmq';
import { PinoLogger } from 'nestjs-pino';
import { JobBase, QueueName } from '@app/jobs';
import { MetricsService } from '@app/platform';

/**
 * Thin processor base (STYLE.md 9): logs start and end with job id, correlation id and duration, records
 * metrics, and rethrows every error so BullMQ's retry policy (from the job catalogue) decides what happens next.
 */
export abstract class InstrumentedProcessor<T extends JobBase> extends WorkerHost {
  protected abstract readonly queueName: QueueName;

  constructor(
    protected readonly logger: PinoLogger,
    protected readonly metrics: MetricsService,
  ) {
    super();
  }

  protected abstract handle(job: Job<T>, token?: string): Promise<unknown>;

  async process(job: Job<T>, token?: string): Promise<unknown> {
    const started = process.hrtime.bigint();
    const ctx = { jobId: job.id, job: job.name, queue: this.queueName, correlationId: job.data.correlationId, attempt: job.attemptsMade + 1 };
    this.logger.info(ctx, 'job started');
    const elapsed = (): number => Number(process.hrtime.bigint() - started) / 1e9;
    try {
      const result = await this.handle(job, token);
      this.metrics.jobsCompleted.inc({ queue: this.queueName, name: job.name });
      this.metrics.jobDuration.observe({ queue: this.queueName, name: job.name }, elapsed());
      this.logger.info({ ...ctx, durationMs: Math.round(elapsed() * 1000) }, 'job completed');
      return result;
    } catch (err) {
      if (err instanceof DelayedError) {
        // Not a failure: the job was moved to the delayed set (throttling / backoff) without consuming an attempt.
        this.logger.info({ ...ctx, durationMs: Math.round(elapsed() * 1000) }, 'job delayed');
        throw err;
      }
      const code = typeof err === 'object' && err && 'code' in err ? String(err.code) : 'UNKNOWN';
      this.metrics.jobsFailed.inc({ queue: this.queueName, name: job.name, code });
      this.logger.warn({ ...ctx, err, code, durationMs: Math.round(elapsed() * 1000) }, 'job attempt failed');
      throw err;
    }
  }
}

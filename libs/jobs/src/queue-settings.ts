import type { JobsOptions } from 'bullmq';
import { QueueName } from './job-catalogue';

export interface QueueSettings {
  /** Attempts before a job fails for good (throttling waits do not consume attempts). */
  attempts: number;
  backoff: { type: 'exponential' | 'fixed'; delayMs: number };
  /** Completed jobs kept for inspection in Bull Board; Postgres is the record, so keep little. */
  removeOnComplete: { ageSeconds: number; count: number };
  removeOnFail: { ageSeconds: number; count: number };
  /** Processor concurrency per worker process; `'config'` means WORKER_CONCURRENCY. */
  concurrency: number | 'config';
  /**
   * Lock duration and stalled-job check interval: a job whose worker died (or was force-closed at the shutdown
   * bound) is handed to another worker within roughly lockDurationMs + stalledIntervalMs.
   */
  lockDurationMs: number;
  stalledIntervalMs: number;
}

/** No defaults on purpose: every queue decides its retries, retention and concurrency (STYLE.md 6). */
export const QUEUE_SETTINGS: Record<QueueName, QueueSettings> = {
  system: {
    attempts: 3,
    backoff: { type: 'exponential', delayMs: 1000 },
    // Probes are diagnostics: an hour of history is plenty, the probe row in Postgres is the record.
    removeOnComplete: { ageSeconds: 3600, count: 1000 },
    removeOnFail: { ageSeconds: 24 * 3600, count: 1000 },
    concurrency: 5,
    lockDurationMs: 10_000,
    stalledIntervalMs: 5_000,
  },
  runs: {
    // Transient failures are retried inside the step engine with backoff and jitter, and throttling waits do not
    // count; a BullMQ attempt is only consumed when a worker dies mid-run (stalled) or the engine itself fails.
    attempts: 5,
    backoff: { type: 'exponential', delayMs: 2000 },
    // The run and its steps in Postgres are the record; BullMQ keeps a little history for Bull Board.
    removeOnComplete: { ageSeconds: 24 * 3600, count: 5000 },
    removeOnFail: { ageSeconds: 7 * 24 * 3600, count: 5000 },
    concurrency: 'config',
    // A run whose worker was killed is picked up again within ~25 s (lock expiry + stalled check).
    lockDurationMs: 15_000,
    stalledIntervalMs: 10_000,
  },
  batches: {
    attempts: 5,
    backoff: { type: 'exponential', delayMs: 1000 },
    removeOnComplete: { ageSeconds: 24 * 3600, count: 1000 },
    removeOnFail: { ageSeconds: 7 * 24 * 3600, count: 1000 },
    concurrency: 2,
    lockDurationMs: 60_000,
    stalledIntervalMs: 30_000,
  },
  webhooks: {
    // Delivery retries live in Postgres (webhook_deliveries.next_attempt_at, up to 24 h), not in BullMQ: a dispatch
    // tick that fails is simply followed by the next one. Inbound events are retried a few times, then stay
    // `received` in inbound_events for the reaper/operator to see.
    attempts: 5,
    backoff: { type: 'exponential', delayMs: 1000 },
    removeOnComplete: { ageSeconds: 600, count: 1000 },
    removeOnFail: { ageSeconds: 7 * 24 * 3600, count: 1000 },
    concurrency: 4,
    lockDurationMs: 60_000,
    stalledIntervalMs: 30_000,
  },
  audit: {
    // A failed sync is retried a few times with backoff; throttling (Retry-After) moves the job to the delayed set
    // without consuming an attempt. The next scheduled tick syncs again anyway, so little history is kept.
    attempts: 4,
    backoff: { type: 'exponential', delayMs: 5000 },
    removeOnComplete: { ageSeconds: 3600, count: 2000 },
    removeOnFail: { ageSeconds: 7 * 24 * 3600, count: 2000 },
    concurrency: 10,
    // A 1,000,000-event first sync of a server can take minutes: the lock is renewed while the job runs.
    lockDurationMs: 60_000,
    stalledIntervalMs: 30_000,
  },
};

/**
 * A queue's retries and retention as BullMQ job options. Used for every enqueue and as the queue's
 * `defaultJobOptions`, so jobs produced by job schedulers (which take the queue defaults) are trimmed the same way.
 */
export function queueJobOptions(queue: QueueName): JobsOptions {
  const s = QUEUE_SETTINGS[queue];
  return {
    attempts: s.attempts,
    backoff: { type: s.backoff.type, delay: s.backoff.delayMs },
    removeOnComplete: { age: s.removeOnComplete.ageSeconds, count: s.removeOnComplete.count },
    removeOnFail: { age: s.removeOnFail.ageSeconds, count: s.removeOnFail.count },
  };
}

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
};

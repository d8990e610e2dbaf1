import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bullmq';
import { Job, Queue } from 'bullmq';
import { JobName, JobPayload, QueueName } from './job-catalogue';
import { QUEUE_SETTINGS } from './queue-settings';

export interface EnqueueOptions {
  /** Deterministic id from the natural key where a duplicate job would be wrong (BullMQ ignores a second add). */
  jobId?: string;
  delayMs?: number;
}

/** The one typed way to enqueue (STYLE.md 8): always awaited, settings from the catalogue. */
@Injectable()
export class JobProducer {
  constructor(private readonly moduleRef: ModuleRef) {}

  queue(name: QueueName): Queue {
    return this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
  }

  async enqueue<Q extends QueueName, N extends JobName<Q>>(
    queue: Q,
    name: N,
    data: JobPayload<Q, N>,
    opts: EnqueueOptions = {},
  ): Promise<Job<JobPayload<Q, N>>> {
    const s = QUEUE_SETTINGS[queue];
    return (await this.queue(queue).add(name, data, {
      jobId: opts.jobId,
      delay: opts.delayMs,
      attempts: s.attempts,
      backoff: { type: s.backoff.type, delay: s.backoff.delayMs },
      removeOnComplete: { age: s.removeOnComplete.ageSeconds, count: s.removeOnComplete.count },
      removeOnFail: { age: s.removeOnFail.ageSeconds, count: s.removeOnFail.count },
    })) as Job<JobPayload<Q, N>>;
  }
}

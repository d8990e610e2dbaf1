import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bullmq';
import { Job, JobsOptions, Queue } from 'bullmq';
import { JobName, JobPayload, QUEUE_NAMES, QueueName } from './job-catalogue';
import { queueJobOptions } from './queue-settings';

export interface EnqueueOptions {
  /** Deterministic id from the natural key where a duplicate job would be wrong (BullMQ ignores a second add). */
  jobId?: string;
  delayMs?: number;
  /** BullMQ priority (1 = highest). Jobs without one are taken before prioritized jobs: single runs use none,
   *  bulk fan-out uses a low priority so a 10,000-tenant batch never delays a run someone is waiting for. */
  priority?: number;
}

const QUEUE_READY_WAIT_MS = 2_000;
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** The one typed way to enqueue (STYLE.md 8): always awaited, settings from the catalogue. */
@Injectable()
export class JobProducer implements BeforeApplicationShutdown {
  constructor(private readonly moduleRef: ModuleRef) {}

  /**
   * Lets every queue finish connecting before @nestjs/bullmq closes it (onApplicationShutdown). BullMQ 5 closing a
   * connection that is still initializing drops its listeners and then emits the init's "Connection is closed" as
   * an unhandled 'error' — an app closed right after start (a health check, a short test) crashed that way. Bounded:
   * with Redis down the queues close after the wait and that error is the honest outcome.
   */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(
      QUEUE_NAMES.map((name) =>
        Promise.race([this.queue(name).waitUntilReady().then(() => undefined, () => undefined), delay(QUEUE_READY_WAIT_MS)]),
      ),
    );
  }

  /** Jobs per queue and state, for the queue-depth metric (sampled at scrape time by the api and the worker). */
  async depths(): Promise<{ queue: QueueName; state: string; count: number }[]> {
    const rows: { queue: QueueName; state: string; count: number }[] = [];
    for (const name of QUEUE_NAMES) {
      const counts = await this.queue(name).getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
      for (const [state, count] of Object.entries(counts)) rows.push({ queue: name, state, count });
    }
    return rows;
  }

  queue(name: QueueName): Queue {
    return this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
  }

  async enqueue<Q extends QueueName, N extends JobName<Q>>(
    queue: Q,
    name: N,
    data: JobPayload<Q, N>,
    opts: EnqueueOptions = {},
  ): Promise<Job<JobPayload<Q, N>>> {
    return (await this.queue(queue).add(name, data, this.jobOptions(queue, opts))) as Job<JobPayload<Q, N>>;
  }

  /** Many jobs in one round trip (bulk fan-out). */
  async enqueueBulk<Q extends QueueName, N extends JobName<Q>>(
    queue: Q,
    name: N,
    jobs: { data: JobPayload<Q, N>; opts?: EnqueueOptions }[],
  ): Promise<void> {
    if (!jobs.length) return;
    await this.queue(queue).addBulk(jobs.map((j) => ({ name, data: j.data, opts: this.jobOptions(queue, j.opts ?? {}) })));
  }

  private jobOptions(queue: QueueName, opts: EnqueueOptions): JobsOptions {
    return { ...queueJobOptions(queue), jobId: opts.jobId, delay: opts.delayMs, priority: opts.priority };
  }
}

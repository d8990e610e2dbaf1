/**
 * The one catalogue of queues, jobs and payloads (STYLE.md 6, 7). Payloads carry ids and small parameters only —
 * never secrets, tokens or entity snapshots; the worker re-reads state from Postgres.
 */

/** Every job carries the correlation id of the request (or schedule tick) that caused it. */
export interface JobBase {
  correlationId: string;
}

export interface ProbeJob extends JobBase {
  probeId: string;
  /** Test hook for shutdown behaviour: how long the processor pretends to work. */
  workMs?: number;
}

/** Executes (or resumes) one run: the worker re-reads the run and its steps from Postgres. */
export interface RunJob extends JobBase {
  runId: string;
  tenantId: string;
}

/** Fans a bulk request out into runs, in chunks, so a 10,000-tenant batch never blocks the api. */
export interface BatchFanOutJob extends JobBase {
  batchId: string;
}

/** queue → job name → payload. Adding a queue here without settings below fails to compile. */
export interface JobCatalogue {
  system: {
    'system.probe': ProbeJob;
    /** Scheduled every minute (one scheduler across replicas): fails stuck runs, re-enqueues orphaned ones. */
    'system.reap-runs': JobBase;
  };
  runs: {
    'run.execute': RunJob;
  };
  batches: {
    'batch.fan-out': BatchFanOutJob;
  };
}

export type QueueName = keyof JobCatalogue;
export type JobName<Q extends QueueName> = keyof JobCatalogue[Q] & string;
export type JobPayload<Q extends QueueName, N extends JobName<Q>> = JobCatalogue[Q][N];

export const QUEUE_NAMES: readonly QueueName[] = ['system', 'runs', 'batches'];

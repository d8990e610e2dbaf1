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

/** Processes one stored inbound webhook event (the worker re-reads the raw body from inbound_events). */
export interface InboundWebhookJob extends JobBase {
  inboundEventId: string;
}

/** Scheduled sync of one tenant (issue 7): consent and role drift checks, then new audit data. */
export interface TenantSyncJob extends JobBase {
  tenantId: string;
  /** Sync even if the tenant was synced moments ago (manual trigger); scheduled ticks leave it unset. */
  force?: boolean;
}

/**
 * Restore sessions the VB365 change feed reported for one tenant (docs/change-feed.md): re-read by id and ingested.
 * Ids only, at most VB365_FEED_SESSIONS_PER_JOB per job.
 */
export interface Vb365FeedSessionsJob extends JobBase {
  tenantId: string;
  sessionIds: string[];
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
  webhooks: {
    /** Scheduled every 2 s (one scheduler across replicas): outbox → deliveries → signed POSTs (issue 8). */
    'webhooks.dispatch': JobBase;
    'webhooks.inbound': InboundWebhookJob;
    /** Hourly (one scheduler): Graph change-notification subscriptions created, renewed, removed per tenant. */
    'webhooks.graph-subscriptions': JobBase;
  };
  audit: {
    /** One per tenant per interval (a job scheduler per tenant, docs/audit.md). */
    'audit.sync-tenant': TenantSyncJob;
    /** Restore sessions are listed once per VB365 server and fanned out to tenants (time-bucketed job id). */
    'audit.sync-vb365': JobBase;
    /** Every VB365_CHANGE_FEED_POLL_SECONDS (one scheduler per VB365 server): reads /v8/Events, fans out per tenant. */
    'audit.poll-vb365-feed': JobBase;
    /** The sessions one feed read reported for one tenant; job id from tenant + feed position (deduplicated). */
    'audit.sync-vb365-sessions': Vb365FeedSessionsJob;
    /** Daily: monthly partitions ahead, retention per tenant, schedule reconciliation. */
    'audit.maintenance': JobBase;
  };
}

export type QueueName = keyof JobCatalogue;
export type JobName<Q extends QueueName> = keyof JobCatalogue[Q] & string;
export type JobPayload<Q extends QueueName, N extends JobName<Q>> = JobCatalogue[Q][N];

export const QUEUE_NAMES: readonly QueueName[] = ['system', 'runs', 'batches', 'webhooks', 'audit'];

import { Inject, OnApplicationBootstrap } from '@nestjs/common';
import { Processor } from '@nestjs/bullmq';
import { DelayedError, Job, UnrecoverableError } from 'bullmq';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { AuditDb, Vb365AuditSync } from '@app/audit';
import { AppConfig, APP_CONFIG } from '@app/config';
import { JobCatalogue, JobPayload, JobProducer, QUEUE_SETTINGS } from '@app/jobs';
import { ChangeFeedPoller, classifyStepError, OutsideClients, SyncScheduler, TenantSync, vb365ServerScope } from '@app/onboarding';
import { MetricsService } from '@app/platform';
import { InstrumentedProcessor } from './instrumented-processor';

type AuditJobName = keyof JobCatalogue['audit'];
type AuditJob = JobCatalogue['audit'][AuditJobName];

/** Daily maintenance (retention, partitions, schedule reconciliation). */
const MAINTENANCE_EVERY_MS = 24 * 3600_000;
/** The VB365 server sync also runs on its own every minute: the change feed makes a quiet tick cheap. */
const VB365_SYNC_EVERY_MS = 60_000;
/** How far back the very first server sync lists restore sessions. */
const VB365_FIRST_SYNC_DAYS = 30;

@Processor('audit', {
  concurrency: QUEUE_SETTINGS.audit.concurrency === 'config' ? 1 : QUEUE_SETTINGS.audit.concurrency,
  lockDuration: QUEUE_SETTINGS.audit.lockDurationMs,
  stalledInterval: QUEUE_SETTINGS.audit.stalledIntervalMs,
})
export class AuditProcessor extends InstrumentedProcessor<AuditJob> implements OnApplicationBootstrap {
  protected readonly queueName = 'audit' as const;

  constructor(
    @InjectPinoLogger(AuditProcessor.name) logger: PinoLogger,
    metrics: MetricsService,
    private readonly tenantSync: TenantSync,
    private readonly scheduler: SyncScheduler,
    private readonly audit: AuditDb,
    private readonly clients: OutsideClients,
    private readonly producer: JobProducer,
    private readonly feed: ChangeFeedPoller,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super(logger, metrics);
  }

  /** Idempotent across replicas (STYLE.md 11): fixed scheduler ids, and tenant schedulers reconciled with Postgres. */
  async onApplicationBootstrap(): Promise<void> {
    const queue = this.producer.queue('audit');
    await queue.upsertJobScheduler('audit-maintenance', { every: MAINTENANCE_EVERY_MS }, { name: 'audit.maintenance', data: { correlationId: 'schedule:audit-maintenance' } });
    if (this.config.vb365.baseUrl) {
      await queue.upsertJobScheduler('vb365-sync', { every: VB365_SYNC_EVERY_MS }, { name: 'audit.sync-vb365', data: { correlationId: 'schedule:vb365-sync' } });
    }
    // Change feed → per-tenant syncs within seconds (docs/change-feed.md); removed when disabled.
    await this.feed.register();
    const r = await this.scheduler.reconcileAll();
    this.logger.info(r, 'tenant sync schedules reconciled');
  }

  protected async handle(job: Job<AuditJob>, token?: string): Promise<unknown> {
    try {
      return await this.dispatch(job);
    } catch (err) {
      const d = classifyStepError(err);
      if (d.kind === 'throttled') {
        // Wait exactly Retry-After (identity reports: 5 requests per 10 s per tenant) without burning an attempt.
        await job.moveToDelayed(Date.now() + d.retryAfterMs, token);
        throw new DelayedError();
      }
      if (d.kind === 'permanent' && d.code !== 'INTERNAL') throw new UnrecoverableError(`${d.code}: ${d.message} — ${d.hint}`);
      throw err;
    }
  }

  private async dispatch(job: Job<AuditJob>): Promise<unknown> {
    const name = job.name as AuditJobName;
    switch (name) {
      case 'audit.sync-tenant': {
        const data = job.data as JobPayload<'audit', 'audit.sync-tenant'>;
        return this.tenantSync.sync(data.tenantId, data.correlationId, { force: data.force });
      }
      case 'audit.sync-vb365': {
        const sync = new Vb365AuditSync(this.clients.vb365Client(), this.audit.writer, this.audit.cursors, this.audit.pool);
        const stats = await sync.syncServer(vb365ServerScope(this.config.vb365.baseUrl), new Date(Date.now() - VB365_FIRST_SYNC_DAYS * 86_400_000));
        return stats ?? { skipped: 'another worker is syncing this server' };
      }
      case 'audit.poll-vb365-feed':
        return this.feed.poll(job.data.correlationId);
      case 'audit.sync-vb365-sessions': {
        const data = job.data as JobPayload<'audit', 'audit.sync-vb365-sessions'>;
        return this.feed.ingest(data.tenantId, data.sessionIds);
      }
      case 'audit.maintenance': {
        const retention = await this.audit.partitions.enforceRetention();
        const schedules = await this.scheduler.reconcileAll();
        return { ...retention, schedules };
      }
    }
    throw new UnrecoverableError(`Unknown job ${String(job.name)} on queue audit`);
  }
}

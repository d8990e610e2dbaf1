import { Inject, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig, APP_CONFIG } from '@app/config';
import { Processor } from '@nestjs/bullmq';
import { Job, UnrecoverableError } from 'bullmq';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { JobCatalogue, JobPayload, JobProducer, QUEUE_SETTINGS } from '@app/jobs';
import { GraphSubscriptions, InboundEvents, WebhookDispatcher } from '@app/onboarding';
import { MetricsService } from '@app/platform';
import { InstrumentedProcessor } from './instrumented-processor';

type WebhooksJobName = keyof JobCatalogue['webhooks'];
type WebhooksJob = JobCatalogue['webhooks'][WebhooksJobName];

/** Outbound deliveries wait at most this long after their event commits (plus the delivery itself). */
const DISPATCH_EVERY_MS = 2_000;
/** Subscriptions last 3 days and are renewed a day ahead, so an hourly pass has ample margin. */
const GRAPH_SUBSCRIPTIONS_EVERY_MS = 3600_000;

@Processor('webhooks', {
  concurrency: QUEUE_SETTINGS.webhooks.concurrency === 'config' ? 1 : QUEUE_SETTINGS.webhooks.concurrency,
  lockDuration: QUEUE_SETTINGS.webhooks.lockDurationMs,
  stalledInterval: QUEUE_SETTINGS.webhooks.stalledIntervalMs,
})
export class WebhooksProcessor extends InstrumentedProcessor<WebhooksJob> implements OnApplicationBootstrap {
  protected readonly queueName = 'webhooks' as const;

  constructor(
    @InjectPinoLogger(WebhooksProcessor.name) logger: PinoLogger,
    metrics: MetricsService,
    private readonly dispatcher: WebhookDispatcher,
    private readonly inbound: InboundEvents,
    private readonly graphSubscriptions: GraphSubscriptions,
    private readonly producer: JobProducer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super(logger, metrics);
  }

  /** One schedule across replicas (upsertJobScheduler is idempotent, STYLE.md 11); the tick only polls Postgres. */
  async onApplicationBootstrap(): Promise<void> {
    await this.producer
      .queue('webhooks')
      .upsertJobScheduler('webhooks-dispatch', { every: DISPATCH_EVERY_MS }, { name: 'webhooks.dispatch', data: { correlationId: 'schedule:webhooks-dispatch' } });
    if (!this.config.graphNotifications.enabled) {
      // Turned off (the default): no subscriptions are created or renewed, and a schedule left by an earlier
      // deployment with the feature on is removed.
      await this.producer.queue('webhooks').removeJobScheduler('webhooks-graph-subscriptions');
      return;
    }
    await this.producer
      .queue('webhooks')
      .upsertJobScheduler(
        'webhooks-graph-subscriptions',
        { every: GRAPH_SUBSCRIPTIONS_EVERY_MS },
        { name: 'webhooks.graph-subscriptions', data: { correlationId: 'schedule:graph-subscriptions' } },
      );
  }

  protected handle(job: Job<WebhooksJob>): Promise<unknown> {
    const name = job.name as WebhooksJobName;
    switch (name) {
      case 'webhooks.dispatch':
        return Promise.all([this.dispatcher.tick(), this.inbound.sweepStale()]);
      case 'webhooks.graph-subscriptions':
        return this.graphSubscriptions.tick();
      case 'webhooks.inbound':
        return this.inbound.process((job.data as JobPayload<'webhooks', 'webhooks.inbound'>).inboundEventId);
    }
    throw new UnrecoverableError(`Unknown job ${String(job.name)} on queue webhooks`);
  }
}

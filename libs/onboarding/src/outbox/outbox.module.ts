import { Module } from '@nestjs/common';
import { SecretStore } from '@app/db';
import { RunsDomainModule } from '../runs/runs-domain.module';
import { GraphSubscriptions } from './graph-subscriptions.service';
import { InboundEvents } from './inbound-events.service';
import { WebhookDispatcher } from './webhook-dispatcher.service';

/** Outbound webhook delivery and inbound event processing (worker side), and the secret store. */
@Module({
  imports: [RunsDomainModule],
  providers: [SecretStore, WebhookDispatcher, InboundEvents, GraphSubscriptions],
  exports: [SecretStore, WebhookDispatcher, InboundEvents, GraphSubscriptions],
})
export class OutboxModule {}

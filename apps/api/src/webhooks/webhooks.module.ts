import { Module } from '@nestjs/common';
import { SecretStore } from '@app/db';
import { InboundWebhooksController } from './inbound-webhooks.controller';
import { WebhookSubscriptionsController } from './webhook-subscriptions.controller';
import { WebhookSubscriptionsService } from './webhook-subscriptions.service';

/** Outbound webhook subscriptions and the inbound webhook endpoint (issue 8, docs/webhooks.md). */
@Module({
  controllers: [WebhookSubscriptionsController, InboundWebhooksController],
  providers: [SecretStore, WebhookSubscriptionsService],
})
export class WebhooksModule {}

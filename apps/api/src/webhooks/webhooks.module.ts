import { Module } from '@nestjs/common';
import { SecretStore } from '@app/db';
import { ActiveSecretsModule } from '@app/onboarding';
import { GraphNotificationsController } from './graph-notifications.controller';
import { InboundWebhooksController } from './inbound-webhooks.controller';
import { WebhookSubscriptionsController } from './webhook-subscriptions.controller';
import { WebhookSubscriptionsService } from './webhook-subscriptions.service';

/** Outbound webhook subscriptions, inbound webhooks and Graph change notifications (issue 8, docs/webhooks.md). */
@Module({
  imports: [ActiveSecretsModule],
  controllers: [WebhookSubscriptionsController, InboundWebhooksController, GraphNotificationsController],
  providers: [SecretStore, WebhookSubscriptionsService],
})
export class WebhooksModule {}

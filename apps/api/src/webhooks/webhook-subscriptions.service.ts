import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, APP_CONFIG } from '@app/config';
import { PrismaService, SecretStore, TenantScope } from '@app/db';
import { generateWebhookSecret } from '@app/security';
import { ApiError } from '@app/platform';
import {
  CreatedWebhookSubscriptionDto,
  CreateWebhookSubscriptionDto,
  UpdateWebhookSubscriptionDto,
  WebhookDeliveryDto,
  WebhookSubscriptionDto,
} from './webhook-subscription.dto';

interface Who {
  actor: string;
  correlationId: string;
  clientIp?: string;
}

/**
 * Subscriptions of the MSP portal to outbound webhooks. A tag-restricted key sees (and creates) only
 * subscriptions confined to its own tags, so it can never receive events about tenants it cannot see.
 */
@Injectable()
export class WebhookSubscriptionsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly secrets: SecretStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private async find(scope: TenantScope, id: string) {
    const s = await this.prisma.webhookSubscription.findUnique({ where: { id } });
    if (!s || (scope.tags.length && (!s.tenantTags.length || !s.tenantTags.every((t) => scope.tags.includes(t)))))
      throw ApiError.notFound('Webhook subscription', id);
    return s;
  }

  async create(scope: TenantScope, body: CreateWebhookSubscriptionDto, who: Who): Promise<CreatedWebhookSubscriptionDto> {
    if (this.config.env === 'production' && !body.url.startsWith('https://'))
      throw ApiError.validation([{ field: 'url', message: 'must use https' }]);
    const secret = generateWebhookSecret();
    const sub = await this.prisma.$transaction(async (tx) => {
      const secretId = await this.secrets.put(tx, 'webhook-subscription', secret);
      const created = await tx.webhookSubscription.create({
        data: {
          url: body.url,
          events: body.events ?? [],
          description: body.description ?? null,
          tenantTags: [...scope.tags],
          secretId,
          createdBy: who.actor,
        },
      });
      await tx.activityLog.create({
        data: {
          actor: who.actor,
          action: 'webhook_subscription.created',
          correlationId: who.correlationId,
          clientIp: who.clientIp ?? null,
          details: { subscriptionId: created.id, url: created.url, events: created.events, tenantTags: created.tenantTags },
        },
      });
      return created;
    });
    return { ...WebhookSubscriptionDto.from(sub), secret };
  }

  async list(scope: TenantScope): Promise<WebhookSubscriptionDto[]> {
    const all = await this.prisma.webhookSubscription.findMany({ orderBy: { createdAt: 'desc' }, take: 500 });
    return all
      .filter((s) => !scope.tags.length || (s.tenantTags.length && s.tenantTags.every((t) => scope.tags.includes(t))))
      .map((s) => WebhookSubscriptionDto.from(s));
  }

  async get(scope: TenantScope, id: string): Promise<WebhookSubscriptionDto> {
    return WebhookSubscriptionDto.from(await this.find(scope, id));
  }

  async update(scope: TenantScope, id: string, body: UpdateWebhookSubscriptionDto, who: Who): Promise<WebhookSubscriptionDto> {
    if (body.enabled === undefined && body.events === undefined)
      throw ApiError.validation([{ field: 'body', message: 'give at least one field to change' }]);
    const before = await this.find(scope, id);
    const after = await this.prisma.$transaction(async (tx) => {
      const updated = await tx.webhookSubscription.update({
        where: { id },
        data: {
          events: body.events,
          ...(body.enabled === true ? { enabled: true, disabledAt: null, disabledReason: null, failingSince: null } : {}),
          ...(body.enabled === false ? { enabled: false, disabledAt: new Date(), disabledReason: `disabled by ${who.actor}` } : {}),
        },
      });
      await tx.activityLog.create({
        data: {
          actor: who.actor,
          action: 'webhook_subscription.updated',
          correlationId: who.correlationId,
          clientIp: who.clientIp ?? null,
          details: {
            subscriptionId: id,
            before: { enabled: before.enabled, events: before.events },
            after: { enabled: updated.enabled, events: updated.events },
          },
        },
      });
      return updated;
    });
    return WebhookSubscriptionDto.from(after);
  }

  async remove(scope: TenantScope, id: string, who: Who): Promise<WebhookSubscriptionDto> {
    const sub = await this.find(scope, id);
    await this.prisma.$transaction(async (tx) => {
      await tx.webhookSubscription.delete({ where: { id } });
      await tx.secret.delete({ where: { id: sub.secretId } });
      await tx.activityLog.create({
        data: {
          actor: who.actor,
          action: 'webhook_subscription.deleted',
          correlationId: who.correlationId,
          clientIp: who.clientIp ?? null,
          details: { subscriptionId: id, url: sub.url },
        },
      });
    });
    return WebhookSubscriptionDto.from(sub);
  }

  async deliveries(scope: TenantScope, id: string, limit: number): Promise<WebhookDeliveryDto[]> {
    await this.find(scope, id);
    const rows = await this.prisma.webhookDelivery.findMany({
      where: { subscriptionId: id },
      orderBy: { createdAt: 'desc' },
      take: limit,
      include: { log: { orderBy: { at: 'asc' } } },
    });
    return rows.map((d) => WebhookDeliveryDto.from(d));
  }
}

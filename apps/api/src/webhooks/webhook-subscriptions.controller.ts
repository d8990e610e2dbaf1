import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Principal } from '../auth/api-key.service';
import { CorrelationId, CurrentPrincipal, RequireScope } from '../auth/auth.decorators';
import { ClientIp } from '../activity/client-ip.decorator';
import { ApiErrors } from '../openapi/api-errors.decorator';
import { uuidParam } from '../openapi/uuid-param.pipe';
import {
  CreatedWebhookSubscriptionDto,
  CreateWebhookSubscriptionDto,
  UpdateWebhookSubscriptionDto,
  WebhookDeliveryDto,
  WebhookSubscriptionDto,
} from './webhook-subscription.dto';
import { WebhookSubscriptionsService } from './webhook-subscriptions.service';
import { PageLimit } from '../openapi/page-limit.decorator';

export class DeliveriesQuery {
  @PageLimit(100)
  limit?: number;
}

/** Outbound webhook subscriptions (admin scope): signed events to the MSP portal, with a delivery log. */
@ApiTags('webhooks')
@ApiBearerAuth()
@Controller('v1/webhook-subscriptions')
export class WebhookSubscriptionsController {
  constructor(private readonly subs: WebhookSubscriptionsService) {}

  @Post()
  @HttpCode(201)
  @RequireScope('admin')
  @ApiOperation({ summary: 'Subscribe a URL to outbound webhooks; the signing secret is returned once.' })
  @ApiErrors(201, CreatedWebhookSubscriptionDto, [400, 401, 403])
  create(
    @Body() body: CreateWebhookSubscriptionDto,
    @CurrentPrincipal() p: Principal,
    @CorrelationId() correlationId: string,
    @ClientIp() clientIp?: string,
  ): Promise<CreatedWebhookSubscriptionDto> {
    return this.subs.create(p.tenantScope, body, { actor: p.keyName, correlationId, clientIp });
  }

  @Get()
  @RequireScope('admin')
  @ApiOperation({ summary: 'Webhook subscriptions visible to this API key.' })
  @ApiErrors(200, [WebhookSubscriptionDto], [401, 403])
  list(@CurrentPrincipal() p: Principal): Promise<WebhookSubscriptionDto[]> {
    return this.subs.list(p.tenantScope);
  }

  @Get(':id')
  @RequireScope('admin')
  @ApiOperation({ summary: 'One webhook subscription (disabledReason says why it was disabled).' })
  @ApiErrors(200, WebhookSubscriptionDto, [400, 401, 403, 404])
  get(@Param('id', uuidParam('id')) id: string, @CurrentPrincipal() p: Principal): Promise<WebhookSubscriptionDto> {
    return this.subs.get(p.tenantScope, id);
  }

  @Patch(':id')
  @RequireScope('admin')
  @ApiOperation({ summary: 'Change the event filter, or disable / re-enable the subscription.' })
  @ApiErrors(200, WebhookSubscriptionDto, [400, 401, 403, 404])
  update(
    @Param('id', uuidParam('id')) id: string,
    @Body() body: UpdateWebhookSubscriptionDto,
    @CurrentPrincipal() p: Principal,
    @CorrelationId() correlationId: string,
    @ClientIp() clientIp?: string,
  ): Promise<WebhookSubscriptionDto> {
    return this.subs.update(p.tenantScope, id, body, { actor: p.keyName, correlationId, clientIp });
  }

  @Delete(':id')
  @RequireScope('admin')
  @ApiOperation({ summary: 'Delete a subscription, its delivery log and its secret.' })
  @ApiErrors(200, WebhookSubscriptionDto, [400, 401, 403, 404])
  remove(
    @Param('id', uuidParam('id')) id: string,
    @CurrentPrincipal() p: Principal,
    @CorrelationId() correlationId: string,
    @ClientIp() clientIp?: string,
  ): Promise<WebhookSubscriptionDto> {
    return this.subs.remove(p.tenantScope, id, { actor: p.keyName, correlationId, clientIp });
  }

  @Get(':id/deliveries')
  @RequireScope('admin')
  @ApiOperation({ summary: 'Delivery log: newest deliveries first, each with every attempt.' })
  @ApiErrors(200, [WebhookDeliveryDto], [400, 401, 403, 404])
  deliveries(
    @Param('id', uuidParam('id')) id: string,
    @Query() q: DeliveriesQuery,
    @CurrentPrincipal() p: Principal,
  ): Promise<WebhookDeliveryDto[]> {
    return this.subs.deliveries(p.tenantScope, id, q.limit ?? 100);
  }
}

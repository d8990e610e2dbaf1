import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsBoolean, IsIn, IsOptional, IsString, IsUrl, MaxLength } from 'class-validator';
import { OUTBOX_EVENT_TYPES, WebhookDelivery, WebhookDeliveryAttempt, WebhookSubscription } from '@app/db';

export class CreateWebhookSubscriptionDto {
  @ApiProperty({ description: 'Receiver URL (https; http only outside production).', maxLength: 2048 })
  @IsString()
  @MaxLength(2048)
  @IsUrl({ protocols: ['https', 'http'], require_protocol: true, require_tld: false })
  url!: string;
  @ApiPropertyOptional({ enum: OUTBOX_EVENT_TYPES, isArray: true, description: 'Event types to receive; omit or [] for all.' })
  @IsOptional()
  @ArrayMaxSize(OUTBOX_EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(OUTBOX_EVENT_TYPES, { each: true })
  events?: string[];
  @ApiPropertyOptional({ maxLength: 500 }) @IsOptional() @IsString() @MaxLength(500) description?: string;
}

export class UpdateWebhookSubscriptionDto {
  @ApiPropertyOptional({ description: 'true re-enables a subscription disabled after 24 hours of failures.' })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
  @ApiPropertyOptional({ enum: OUTBOX_EVENT_TYPES, isArray: true })
  @IsOptional()
  @ArrayMaxSize(OUTBOX_EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(OUTBOX_EVENT_TYPES, { each: true })
  events?: string[];
}

export class WebhookSubscriptionDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() url!: string;
  @ApiProperty({ type: [String] }) events!: string[];
  @ApiProperty({ type: [String], description: "Tenant tags of the creating key: only those tenants' events are sent." })
  tenantTags!: string[];
  @ApiPropertyOptional({ nullable: true, type: String }) description!: string | null;
  @ApiProperty() enabled!: boolean;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'date-time' }) failingSince!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'date-time' }) disabledAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) disabledReason!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;

  static from(s: WebhookSubscription): WebhookSubscriptionDto {
    return {
      id: s.id,
      url: s.url,
      events: s.events,
      tenantTags: s.tenantTags,
      description: s.description,
      enabled: s.enabled,
      failingSince: s.failingSince?.toISOString() ?? null,
      disabledAt: s.disabledAt?.toISOString() ?? null,
      disabledReason: s.disabledReason,
      createdAt: s.createdAt.toISOString(),
    };
  }
}

export class CreatedWebhookSubscriptionDto extends WebhookSubscriptionDto {
  @ApiProperty({ description: 'Signing secret (Standard Webhooks `whsec_…`). Shown once; stored encrypted.' })
  secret!: string;
}

export class WebhookDeliveryAttemptDto {
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiPropertyOptional({ nullable: true, type: Number }) statusCode!: number | null;
  @ApiPropertyOptional({ nullable: true, type: String }) error!: string | null;
  @ApiProperty() durationMs!: number;
}

export class WebhookDeliveryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid', description: 'The event id, sent as webhook-id on every attempt.' }) eventId!: string;
  @ApiProperty() eventType!: string;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'uuid' }) tenantId!: string | null;
  @ApiProperty({ enum: ['pending', 'succeeded', 'failed'] }) status!: string;
  @ApiProperty() attempts!: number;
  @ApiProperty({ format: 'date-time' }) nextAttemptAt!: string;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'date-time' }) deliveredAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) lastError!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: [WebhookDeliveryAttemptDto] }) log!: WebhookDeliveryAttemptDto[];

  static from(d: WebhookDelivery & { log: WebhookDeliveryAttempt[] }): WebhookDeliveryDto {
    return {
      id: d.id,
      eventId: d.outboxEventId,
      eventType: d.eventType,
      tenantId: d.tenantId,
      status: d.status,
      attempts: d.attempts,
      nextAttemptAt: d.nextAttemptAt.toISOString(),
      deliveredAt: d.deliveredAt?.toISOString() ?? null,
      lastError: d.lastError,
      createdAt: d.createdAt.toISOString(),
      log: d.log.map((a) => ({ at: a.at.toISOString(), statusCode: a.statusCode, error: a.error, durationMs: a.durationMs })),
    };
  }
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { TenantSyncDto } from '../audit/tenant-sync.dto';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { Tenant } from '@app/db';
import { PageLimit } from '../openapi/page-limit.decorator';

export const TENANT_STATUSES = [
  'awaiting_consent',
  'onboarding',
  'active',
  'consent_revoked',
  'failed',
  'offboarding',
  'offboarded',
] as const;
type TenantStatusValue = (typeof TENANT_STATUSES)[number];

export const CONSENT_MODES = ['admin-consent-link', 'preconsented'] as const;
export type ConsentModeValue = (typeof CONSENT_MODES)[number];
export const DRIFT_MODES = ['report', 'repair'] as const;
export type DriftModeValue = (typeof DRIFT_MODES)[number];

/** Query strings carry text: only the exact words true/false become booleans, anything else fails IsBoolean. */
const booleanQuery = ({ value }: { value: unknown }): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;

export class ListTenantsQuery {
  @ApiPropertyOptional({ enum: TENANT_STATUSES })
  @IsOptional()
  @IsIn(TENANT_STATUSES)
  status?: TenantStatusValue;
  @ApiPropertyOptional({ maxLength: 100 }) @IsOptional() @IsString() @MaxLength(100) tag?: string;
  @ApiPropertyOptional({ description: 'Case-insensitive match on display name or domain.', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  text?: string;
  @ApiPropertyOptional({
    type: Boolean,
    description: 'Only excluded (true) or only included (false) tenants.',
  })
  @IsOptional()
  @Transform(booleanQuery)
  @IsBoolean()
  excluded?: boolean;
  @ApiPropertyOptional({ description: "Opaque cursor from the previous page's nextCursor." })
  @IsOptional()
  @IsUUID()
  cursor?: string;
  @PageLimit(50)
  limit?: number;
}

export class TenantDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String }) entraTenantId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) primaryDomain!: string | null;
  @ApiProperty() displayName!: string;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ description: 'Never touched by bulk, scheduled or webhook-triggered work.' })
  excluded!: boolean;
  @ApiProperty({ enum: TENANT_STATUSES }) status!: TenantStatusValue;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'Why the tenant is in its status (failures, refusals).',
  })
  statusReason!: string | null;
  @ApiProperty({ enum: CONSENT_MODES }) consentMode!: ConsentModeValue;
  @ApiPropertyOptional({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'When admin consent was last granted through a consent link.',
  })
  consentedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) vb365OrganizationId!: string | null;
  @ApiProperty() retentionDays!: number;
  @ApiProperty({ enum: DRIFT_MODES, description: 'What the drift check does with role drift.' })
  driftMode!: DriftModeValue;
  @ApiProperty({ enum: DRIFT_MODES, description: 'What the scheduled sync does with consent drift.' })
  consentDriftMode!: DriftModeValue;
  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    description: 'Minutes between scheduled syncs; null: the default (SCHEDULE_INTERVAL_MINUTES).',
  })
  syncIntervalMinutes!: number | null;
  @ApiPropertyOptional({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'Set while parked by the circuit breaker.',
  })
  parkedAt!: string | null;
  @ApiProperty({ type: TenantSyncDto, description: 'Scheduled sync: last sync and current drift (docs/audit.md).' })
  sync!: TenantSyncDto;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;

  static from(t: Tenant): TenantDto {
    return {
      id: t.id,
      entraTenantId: t.entraTenantId,
      primaryDomain: t.primaryDomain,
      displayName: t.displayName,
      tags: t.tags,
      excluded: t.excluded,
      status: t.status,
      statusReason: t.statusReason,
      consentMode: t.consentMode === 'admin_consent_link' ? 'admin-consent-link' : 'preconsented',
      consentedAt: t.consentedAt?.toISOString() ?? null,
      vb365OrganizationId: t.vb365OrganizationId,
      retentionDays: t.retentionDays,
      driftMode: t.roleDriftMode,
      consentDriftMode: t.consentDriftMode,
      syncIntervalMinutes: t.syncIntervalMinutes,
      parkedAt: t.parkedAt?.toISOString() ?? null,
      createdAt: t.createdAt.toISOString(),
      updatedAt: t.updatedAt.toISOString(),
      sync: TenantSyncDto.from(t),
    };
  }
}

export class TenantPageDto {
  @ApiProperty({ type: [TenantDto] }) items!: TenantDto[];
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Pass as ?cursor= for the next page.' })
  nextCursor!: string | null;
}

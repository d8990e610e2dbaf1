import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { Tenant } from '@app/db';

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

export class ListTenantsQuery {
  @ApiPropertyOptional({ enum: TENANT_STATUSES }) @IsOptional() @IsIn(TENANT_STATUSES) status?: TenantStatusValue;
  @ApiPropertyOptional({ maxLength: 100 }) @IsOptional() @IsString() @MaxLength(100) tag?: string;
  @ApiPropertyOptional({ description: 'Case-insensitive match on display name or domain.', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  text?: string;
  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page\'s nextCursor.' })
  @IsOptional()
  @IsUUID()
  cursor?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

export class TenantDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String }) entraTenantId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) primaryDomain!: string | null;
  @ApiProperty() displayName!: string;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty() excluded!: boolean;
  @ApiProperty({ enum: TENANT_STATUSES }) status!: TenantStatusValue;
  @ApiProperty({ enum: ['admin-consent-link', 'preconsented'] }) consentMode!: 'admin-consent-link' | 'preconsented';
  @ApiPropertyOptional({ nullable: true, type: String }) vb365OrganizationId!: string | null;
  @ApiProperty() retentionDays!: number;
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
      consentMode: t.consentMode === 'admin_consent_link' ? 'admin-consent-link' : 'preconsented',
      vb365OrganizationId: t.vb365OrganizationId,
      retentionDays: t.retentionDays,
      createdAt: t.createdAt.toISOString(),
      updatedAt: t.updatedAt.toISOString(),
    };
  }
}

export class TenantPageDto {
  @ApiProperty({ type: [TenantDto] }) items!: TenantDto[];
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Pass as ?cursor= for the next page.' })
  nextCursor!: string | null;
}

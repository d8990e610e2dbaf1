import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Tenant } from '@app/db';

/** The scheduled sync's view of a tenant (issue 7): last sync and current drift. */
export class TenantSyncDto {
  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String }) lastSyncAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, enum: ['succeeded', 'failed'] }) lastSyncResult!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Code and message of a failed sync.' }) lastSyncError!: string | null;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'Per-tenant interval; null: SCHEDULE_INTERVAL_MINUTES.' })
  intervalMinutes!: number | null;
  @ApiPropertyOptional({
    nullable: true,
    type: 'object',
    additionalProperties: true,
    description: 'Last consent check: { problems[], servicePrincipalId, graphGrantId, selfGrantId, auditEvidence[], checkedAt }.',
  })
  consentDrift!: Record<string, unknown> | null;
  @ApiProperty({ enum: ['report', 'repair'], description: 'What the sync does with consent drift.' }) consentDriftMode!: string;
  @ApiPropertyOptional({ nullable: true, type: 'object', additionalProperties: true, description: 'Last role drift check (planner change format).' })
  roleDrift!: Record<string, unknown> | null;
  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String }) roleDriftCheckedAt!: string | null;

  static from(t: Tenant): TenantSyncDto {
    return {
      lastSyncAt: t.lastSyncAt?.toISOString() ?? null,
      lastSyncResult: t.lastSyncResult,
      lastSyncError: t.lastSyncError,
      intervalMinutes: t.syncIntervalMinutes,
      consentDrift: (t.consentDrift ?? null) as Record<string, unknown> | null,
      consentDriftMode: t.consentDriftMode,
      roleDrift: (t.roleDrift ?? null) as Record<string, unknown> | null,
      roleDriftCheckedAt: t.roleDriftCheckedAt?.toISOString() ?? null,
    };
  }
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { AUDIT_SOURCES, AuditEventRow } from '@app/audit';

export class AuditEventsQuery {
  @ApiPropertyOptional({ format: 'date-time', description: 'Inclusive lower bound on the event time.' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  from?: Date;
  @ApiPropertyOptional({ format: 'date-time', description: 'Exclusive upper bound on the event time.' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  to?: Date;
  @ApiPropertyOptional({ enum: AUDIT_SOURCES }) @IsOptional() @IsIn(AUDIT_SOURCES) source?: string;
  @ApiPropertyOptional({ description: 'Exact action, e.g. `restore`, `export`, `Remove delegated permission grant`.', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  action?: string;
  @ApiPropertyOptional({ description: 'Exact actor (UPN, app name).', maxLength: 320 }) @IsOptional() @IsString() @MaxLength(320) actor?: string;
  @ApiPropertyOptional({ description: 'Exact result, e.g. `Success`, `Failed`, `success`.', maxLength: 50 }) @IsOptional() @IsString() @MaxLength(50) result?: string;
  @ApiPropertyOptional({ description: 'Exact item type, e.g. `Mailbox`, `ServicePrincipal`.', maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  itemType?: string;
  @ApiPropertyOptional({ description: 'Case-insensitive text in the item name.', maxLength: 200 }) @IsOptional() @IsString() @MaxLength(200) q?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'Only on /v1/audit-events: one tenant.' }) @IsOptional() @IsUUID() tenantId?: string;
  @ApiPropertyOptional({ description: "Opaque cursor from the previous page's nextCursor." })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{8,120}$/, { message: 'cursor must be a nextCursor value' })
  cursor?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class AuditEventDto {
  @ApiProperty({ description: 'Row id (string: a 64-bit integer).' }) id!: string;
  @ApiProperty({ format: 'uuid' }) tenantId!: string;
  @ApiProperty({ enum: AUDIT_SOURCES }) source!: string;
  @ApiProperty({ description: 'Id of the record in its source system.' }) externalId!: string;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) actor!: string | null;
  @ApiProperty() action!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) itemType!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) itemName!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) result!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) details!: Record<string, unknown>;

  static from(r: AuditEventRow): AuditEventDto {
    return {
      id: r.id,
      tenantId: r.tenantId,
      source: r.source,
      externalId: r.externalId,
      occurredAt: r.occurredAt.toISOString(),
      actor: r.actor,
      action: r.action,
      itemType: r.itemType,
      itemName: r.itemName,
      result: r.result,
      details: (r.details ?? {}) as Record<string, unknown>,
    };
  }
}

export class AuditEventPageDto {
  @ApiProperty({ type: [AuditEventDto] }) items!: AuditEventDto[];
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Pass as ?cursor= for the next (older) page.' })
  nextCursor!: string | null;
}

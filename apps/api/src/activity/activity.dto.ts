import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { ActivityLog } from '@app/db';
import { PageLimit } from '../openapi/page-limit.decorator';

export class ActivityQuery {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() tenantId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() runId?: string;
  @ApiPropertyOptional({ description: 'Exact actor: API key name, `webhook:<source>`, `worker`, `scheduler` …', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  actor?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'Rows caused by requests authenticated with this API key.' })
  @IsOptional()
  @IsUUID()
  actorKeyId?: string;
  @ApiPropertyOptional({ description: 'Action, or a prefix ending in `.` (e.g. `tenant.`).', maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  action?: string;
  @ApiPropertyOptional({ maxLength: 200 }) @IsOptional() @IsString() @MaxLength(200) correlationId?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'Inclusive lower bound on `at`.' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  from?: Date;
  @ApiPropertyOptional({ format: 'date-time', description: 'Exclusive upper bound on `at`.' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  to?: Date;
  @ApiPropertyOptional({ description: "Opaque cursor from the previous page's nextCursor." })
  @IsOptional()
  @Matches(/^[0-9]{1,18}$/, { message: 'cursor must be a nextCursor value' })
  cursor?: string;
  @PageLimit(100)
  limit?: number;
}

export class ActivityEntryDto {
  @ApiProperty({ description: 'Monotonic id (string: a 64-bit integer).' }) id!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ description: 'API key name, `webhook:<source>`, `worker`, `scheduler` …' }) actor!: string;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    format: 'uuid',
    description: 'Id of the API key whose request caused the row (null for webhook, scheduled and worker rows).',
  })
  actorKeyId!: string | null;
  @ApiProperty() action!: string;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'uuid' }) tenantId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'uuid' }) runId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) correlationId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) clientIp!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Action details, e.g. changes { field: { from, to } }.' })
  details!: Record<string, unknown>;

  static from(a: ActivityLog): ActivityEntryDto {
    const details = (a.details ?? {}) as Record<string, unknown>;
    return {
      id: a.id.toString(),
      at: a.at.toISOString(),
      actor: a.actor,
      actorKeyId: typeof details['actorKeyId'] === 'string' ? details['actorKeyId'] : null,
      action: a.action,
      tenantId: a.tenantId,
      runId: a.runId,
      correlationId: a.correlationId,
      clientIp: a.clientIp,
      details,
    };
  }
}

export class ActivityPageDto {
  @ApiProperty({ type: [ActivityEntryDto] }) items!: ActivityEntryDto[];
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Pass as ?cursor= for the next (older) page.' })
  nextCursor!: string | null;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { Run, RunStep } from '@app/db';

export const RUN_KINDS = ['onboard', 'resync', 'offboard'] as const;
export const RUN_STATUSES = ['queued', 'running', 'awaiting_consent', 'succeeded', 'failed', 'cancelled'] as const;
type RunKindValue = (typeof RUN_KINDS)[number];

export class StartRunDto {
  @ApiProperty({ enum: RUN_KINDS }) @IsIn(RUN_KINDS) kind!: RunKindValue;
  @ApiPropertyOptional({ description: 'Perform every read and record the planned writes without making them.' })
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;
  @ApiPropertyOptional({ description: 'Offboarding: keep the Restore Portal service principal.' })
  @IsOptional()
  @IsBoolean()
  keepServicePrincipal?: boolean;
  @ApiPropertyOptional({ description: 'Take ownership of same-named VB365 roles the product did not create.' })
  @IsOptional()
  @IsBoolean()
  adoptRoles?: boolean;
}

export class BulkRunDto extends StartRunDto {
  @ApiPropertyOptional({ type: [String], description: 'Up to 10,000 tenant ids (or give `tag`).', maxItems: 10_000 })
  @ValidateIf((o: BulkRunDto) => o.tag === undefined)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10_000)
  @IsUUID('all', { each: true })
  tenantIds?: string[];

  @ApiPropertyOptional({ description: 'Every tenant carrying this tag (or give `tenantIds`).', maxLength: 100 })
  @ValidateIf((o: BulkRunDto) => o.tenantIds === undefined)
  @IsString()
  @MaxLength(100)
  tag?: string;
}

export class StepChangeDto {
  @ApiProperty({ example: 'createGrant' }) action!: string;
  @ApiProperty() target!: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) detail?: Record<string, unknown>;
}

export class RunStepDto {
  @ApiProperty({ example: 'ensure-consent-grants' }) name!: string;
  @ApiProperty() ordinal!: number;
  @ApiProperty({ enum: ['pending', 'running', 'succeeded', 'failed', 'skipped'] }) status!: string;
  @ApiProperty() attempts!: number;
  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String }) startedAt!: string | null;
  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String }) finishedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) durationMs!: number | null;
  @ApiPropertyOptional({ nullable: true, type: String }) errorCode!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'What a human can do about it.' }) errorHint!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) errorMessage!: string | null;
  @ApiProperty({ type: [StepChangeDto], description: 'What the step changed (or would change, in a dry run).' })
  @Type(() => StepChangeDto)
  changes!: StepChangeDto[];

  static from(s: RunStep): RunStepDto {
    return {
      name: s.name,
      ordinal: s.ordinal,
      status: s.status,
      attempts: s.attempts,
      startedAt: s.startedAt?.toISOString() ?? null,
      finishedAt: s.finishedAt?.toISOString() ?? null,
      durationMs: s.startedAt && s.finishedAt ? s.finishedAt.getTime() - s.startedAt.getTime() : null,
      errorCode: s.errorCode,
      errorHint: s.errorHint,
      errorMessage: s.errorMessage,
      changes: s.changes as unknown as StepChangeDto[],
    };
  }
}

export class RunDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) tenantId!: string;
  @ApiProperty({ enum: RUN_KINDS }) kind!: string;
  @ApiProperty({ enum: RUN_STATUSES }) status!: string;
  @ApiProperty() dryRun!: boolean;
  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String }) batchId!: string | null;
  @ApiProperty() correlationId!: string;
  @ApiProperty({ description: 'API key name, or schedule/webhook/consent.' }) requestedBy!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) options!: Record<string, unknown>;
  @ApiProperty() cancelRequested!: boolean;
  @ApiPropertyOptional({ nullable: true, type: String }) errorCode!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) errorHint!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String }) startedAt!: string | null;
  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String }) finishedAt!: string | null;
  @ApiProperty({ type: [RunStepDto] }) steps!: RunStepDto[];

  static from(r: Run & { steps?: RunStep[] }): RunDto {
    return {
      id: r.id,
      tenantId: r.tenantId,
      kind: r.kind,
      status: r.status,
      dryRun: r.dryRun,
      batchId: r.batchId,
      correlationId: r.correlationId,
      requestedBy: r.requestedBy,
      options: r.options as Record<string, unknown>,
      cancelRequested: r.cancelRequested,
      errorCode: r.errorCode,
      errorHint: r.errorHint,
      createdAt: r.createdAt.toISOString(),
      startedAt: r.startedAt?.toISOString() ?? null,
      finishedAt: r.finishedAt?.toISOString() ?? null,
      steps: [...(r.steps ?? [])].sort((a, b) => a.ordinal - b.ordinal).map((s) => RunStepDto.from(s)),
    };
  }
}

export class BatchAcceptedDto {
  @ApiProperty({ format: 'uuid' }) batchId!: string;
  @ApiProperty({ description: 'Tenants selected (before exclusions).' }) total!: number;
}

export class BatchDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: RUN_KINDS }) kind!: string;
  @ApiProperty() dryRun!: boolean;
  @ApiProperty() total!: number;
  @ApiProperty({ description: 'Runs created so far (fan-out is asynchronous).' }) created!: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, example: { queued: 10, running: 20, succeeded: 970 } })
  counts!: Record<string, number>;
  @ApiProperty({ type: 'array', items: { type: 'object' }, description: 'Tenants skipped at fan-out, with the reason.' })
  skipped!: { tenantId: string; reason: string }[];
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export class CreateProbeDto {
  @ApiPropertyOptional({ description: 'Free text stored with the probe.', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  message?: string;

  @ApiPropertyOptional({ description: 'Wait (up to 15 s) until the worker has processed the probe.', default: false })
  @IsOptional()
  @IsBoolean()
  wait?: boolean;

  @ApiPropertyOptional({ description: 'Simulated work in the worker, in ms (for shutdown drills).', maximum: 60000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(60_000)
  workMs?: number;
}

export class ProbeDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['queued', 'processed'] }) status!: 'queued' | 'processed';
  @ApiProperty() correlationId!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) message!: string | null;
  @ApiProperty({ format: 'date-time' }) requestedAt!: string;
  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String }) processedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Worker instance that processed it.' })
  processedBy!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) jobId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'Enqueue-to-processed time in ms.' })
  roundTripMs!: number | null;
}

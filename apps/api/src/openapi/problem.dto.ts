import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldErrorDto {
  @ApiProperty({ example: 'displayName' }) field!: string;
  @ApiProperty({ example: 'must be a string' }) message!: string;
}

/** RFC 9457 problem details, as every error of this API is answered (application/problem+json). */
export class ProblemDto {
  @ApiProperty({ example: 'urn:vb365-orchestrator:problem:validation-failed' }) type!: string;
  @ApiProperty({ example: 'Your request parameters did not validate.' }) title!: string;
  @ApiProperty({ example: 400 }) status!: number;
  @ApiProperty({ example: 'Invalid field(s): displayName.' }) detail!: string;
  @ApiProperty({ example: 'VALIDATION_FAILED', description: 'Stable machine-readable code.' }) code!: string;
  @ApiPropertyOptional({ example: '/v1/tenants' }) instance?: string;
  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'Every invalid field (validation failures only).' })
  errors?: FieldErrorDto[];
  @ApiPropertyOptional({ description: 'Id to quote for unexpected (500) errors; it is in the logs.' }) errorId?: string;
  @ApiPropertyOptional({ description: 'What a human can do about it.' }) hint?: string;
}

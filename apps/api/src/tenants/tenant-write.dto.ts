import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsFQDN,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { Type } from 'class-transformer';
import { RoleInputDto, TemplateUseDto } from '../roles/role.dto';
import { CONSENT_MODES, ConsentModeValue, DRIFT_MODES, DriftModeValue, TenantDto } from './tenant.dto';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Tags select tenants for API keys and bulk runs: short, no spaces, so they read the same in a query string. */
const TAG = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,62}$/;
/** Per-tenant sync interval bounds: more often than 5 minutes costs Graph quota for little; at least daily. */
const SYNC_INTERVAL_MIN = 5;
const SYNC_INTERVAL_MAX = 1440;
const TAG_MESSAGE =
  'each tag must be 1-63 characters: letters, digits, . _ : - (starting with a letter or digit)';

/** Settings shared by POST and PATCH. */
class TenantSettingsDto {
  @ApiPropertyOptional({ type: [String], maxItems: 50, example: ['emea', 'gold'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(TAG, { each: true, message: TAG_MESSAGE })
  tags?: string[];

  @ApiPropertyOptional({ description: 'Never touched by bulk, scheduled or webhook-triggered work.' })
  @IsOptional()
  @IsBoolean()
  excluded?: boolean;

  @ApiPropertyOptional({ enum: CONSENT_MODES })
  @IsOptional()
  @IsIn(CONSENT_MODES)
  consentMode?: ConsentModeValue;

  @ApiPropertyOptional({ minimum: 1, maximum: 3650, description: 'How long audit data is kept.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3650)
  retentionDays?: number;

  @ApiPropertyOptional({ enum: DRIFT_MODES, description: 'What the drift check does with role drift: report it, or repair it.' })
  @IsOptional()
  @IsIn(DRIFT_MODES)
  driftMode?: DriftModeValue;

  @ApiPropertyOptional({
    enum: DRIFT_MODES,
    description: 'What the scheduled sync does with consent drift: report it (status consent_revoked), or repair it (a resync run re-creates the service principal and grants).',
  })
  // Absent leaves it; null is not a mode (IsOptional would let null through to a NOT NULL column).
  @ValidateIf((_, v) => v !== undefined)
  @IsIn(DRIFT_MODES)
  consentDriftMode?: DriftModeValue;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: SYNC_INTERVAL_MIN,
    maximum: SYNC_INTERVAL_MAX,
    description: 'Minutes between scheduled syncs of this tenant; null: the default (SCHEDULE_INTERVAL_MINUTES). A change reschedules at once.',
  })
  // Optional and nullable: absent leaves it, null resets it to the default.
  @ValidateIf((_, v) => v !== undefined && v !== null)
  @IsInt()
  @Min(SYNC_INTERVAL_MIN)
  @Max(SYNC_INTERVAL_MAX)
  syncIntervalMinutes?: number | null;
}

/** Fields PATCH may change. */
export class UpdateTenantDto extends TenantSettingsDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  displayName?: string;
}

export class CreateTenantDto extends TenantSettingsDto {
  @ApiPropertyOptional({ description: 'The Entra tenant id (GUID). Give this or `domain`.', format: 'uuid' })
  // Required unless a domain is given; both may be given (the domain must then resolve to this id).
  @ValidateIf((o: CreateTenantDto) => o.entraTenantId !== undefined || o.domain === undefined)
  @IsDefined({ message: 'give entraTenantId or domain' })
  @Matches(GUID, { message: 'must be a GUID' })
  entraTenantId?: string;

  @ApiPropertyOptional({
    description:
      'A verified domain of the tenant (e.g. contoso.onmicrosoft.com); the tenant id is resolved from Entra.',
    maxLength: 253,
  })
  @IsOptional()
  @IsFQDN({ require_tld: true }, { message: 'must be a domain name such as contoso.onmicrosoft.com' })
  @MaxLength(253)
  domain?: string;

  @ApiProperty({ minLength: 1, maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  displayName!: string;

  // Declared restore operator roles: validated with the other fields and written in the creation transaction
  // (DECLARED_ROLES_ON_CREATE, declared-roles.seam.ts), so a preconsented tenant's first run already sees them.
  @ApiPropertyOptional({ type: [RoleInputDto], description: 'Declared restore operator roles (same shape as PUT .../restore-operator-roles).' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => RoleInputDto)
  roles?: RoleInputDto[];

  @ApiPropertyOptional({ type: [TemplateUseDto], description: 'Role templates this tenant uses, with per-tenant overrides.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => TemplateUseDto)
  templates?: TemplateUseDto[];
}

export class RunRefDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['onboard', 'resync', 'offboard'] }) kind!: string;
  @ApiProperty() status!: string;
}

export class CreatedTenantDto extends TenantDto {
  @ApiPropertyOptional({
    type: RunRefDto,
    nullable: true,
    description: 'The onboarding run started for a preconsented tenant.',
  })
  run!: RunRefDto | null;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';

export const SCOPES = ['entire-organization', 'specific-objects'] as const;
export type ScopeValue = (typeof SCOPES)[number];
export const DRIFT_MODES = ['report', 'repair'] as const;

/** A human reference: exactly one of the four keys (checked by the roles validator, which names the field). */
export class RefDto {
  @ApiPropertyOptional({ description: 'UPN / e-mail address or Entra object id.', example: 'alice@contoso.com' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  user?: string;

  @ApiPropertyOptional({ description: 'Group mail, display name or Entra object id.', example: 'Helpdesk' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  group?: string;

  @ApiPropertyOptional({ description: 'Site URL (selected/excluded items only).', example: 'https://contoso.sharepoint.com/sites/hr' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  site?: string;

  @ApiPropertyOptional({ description: 'Team mail or display name (selected/excluded items only).', example: 'Finance' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  team?: string;
}

const refs = (description: string): PropertyDecorator => {
  const decorators = [
    ApiPropertyOptional({ type: [RefDto], description }),
    IsOptional(),
    IsArray(),
    ArrayMaxSize(500),
    ValidateNested({ each: true }),
    Type(() => RefDto),
  ];
  return (target, key) => decorators.forEach((d) => d(target, key));
};

/** The fields a role, a template and an override share (all optional; subclasses add name and scope). */
export class RoleFieldsDto {
  @ApiPropertyOptional({ maxLength: 1000, default: '' }) @IsOptional() @IsString() @MaxLength(1000) description?: string;
  @refs('Restore operators: `{ user }` or `{ group }` references (at least one).') operators?: RefDto[];
  @refs('Objects the operators may restore (specific-objects only, at least one).') selectedItems?: RefDto[];
  @refs('Objects excluded from the scope (never also selected; no teams for entire-organization).') excludedItems?: RefDto[];
}

export class RoleInputDto extends RoleFieldsDto {
  @ApiProperty({ maxLength: 200, example: 'Helpdesk' }) @IsString() @MaxLength(200) name!: string;
  @ApiProperty({ enum: SCOPES }) @IsIn(SCOPES) scope!: ScopeValue;
  @ApiPropertyOptional({ description: 'Take ownership of an existing same-named VB365 role the product did not create.', default: false })
  @IsOptional()
  @IsBoolean()
  adopt?: boolean;
}

export class TemplateOverridesDto extends RoleFieldsDto {
  @ApiPropertyOptional({ maxLength: 200 }) @IsOptional() @IsString() @MaxLength(200) name?: string;
  @ApiPropertyOptional({ enum: SCOPES }) @IsOptional() @IsIn(SCOPES) scope?: ScopeValue;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() adopt?: boolean;
}

export class TemplateUseDto {
  @ApiProperty({ description: 'Name of a role template (PUT /v1/role-templates/{name}).' }) @IsString() @MaxLength(200) name!: string;
  @ApiPropertyOptional({ type: TemplateOverridesDto, description: 'Fields replacing the template\'s for this tenant.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => TemplateOverridesDto)
  overrides?: TemplateOverridesDto;
}

export class PutRolesDto {
  @ApiProperty({ type: [RoleInputDto] }) @IsArray() @ArrayMaxSize(200) @ValidateNested({ each: true }) @Type(() => RoleInputDto) roles!: RoleInputDto[];
  @ApiPropertyOptional({ type: [TemplateUseDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => TemplateUseDto)
  templates?: TemplateUseDto[];
  @ApiPropertyOptional({ enum: DRIFT_MODES, description: 'What drift checks do: report only (default) or repair.' })
  @IsOptional()
  @IsIn(DRIFT_MODES)
  driftMode?: (typeof DRIFT_MODES)[number];
}

export class TemplateInputDto extends RoleFieldsDto {
  @ApiProperty({ enum: SCOPES }) @IsIn(SCOPES) scope!: ScopeValue;
}

// --- responses ------------------------------------------------------------------------------------------------

export class RoleDto {
  @ApiProperty() name!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ enum: SCOPES }) scope!: ScopeValue;
  @ApiProperty({ type: [RefDto] }) operators!: RefDto[];
  @ApiProperty({ type: [RefDto] }) selectedItems!: RefDto[];
  @ApiProperty({ type: [RefDto] }) excludedItems!: RefDto[];
  @ApiProperty() adopt!: boolean;
}

export class AppliedMemberDto {
  @ApiProperty({ enum: ['User', 'Group', 'Site', 'Team'] }) type!: string;
  @ApiProperty({ description: 'VB365 id.' }) id!: string;
  @ApiProperty({ description: 'E-mail, URL or name.' }) ref!: string;
}

export class AppliedRoleDto {
  @ApiProperty() name!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ enum: ['EntireOrganization', 'SpecificObjects'] }) roleType!: string;
  @ApiProperty({ type: [AppliedMemberDto] }) operators!: AppliedMemberDto[];
  @ApiProperty({ type: [AppliedMemberDto] }) selectedItems!: AppliedMemberDto[];
  @ApiProperty({ type: [AppliedMemberDto] }) excludedItems!: AppliedMemberDto[];
}

export class TemplateSourceDto {
  @ApiProperty() name!: string;
  @ApiProperty() version!: number;
}

export class EffectiveRoleDto extends RoleDto {
  @ApiPropertyOptional({ type: TemplateSourceDto, nullable: true, description: 'The template it comes from, if any.' }) template!: TemplateSourceDto | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The VB365 role id once created or adopted.' }) vb365RoleId!: string | null;
  @ApiPropertyOptional({ nullable: true }) adopted!: boolean | null;
  @ApiPropertyOptional({ type: AppliedRoleDto, nullable: true, description: 'The resolved state last applied.' }) lastApplied!: AppliedRoleDto | null;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'date-time' }) lastAppliedAt!: string | null;
}

export class StepChangeDto {
  @ApiProperty({ example: 'add-operators' }) action!: string;
  @ApiProperty({ example: 'Helpdesk' }) target!: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) detail?: Record<string, unknown>;
}

export class RoleFailureDto {
  @ApiProperty() role!: string;
  @ApiPropertyOptional({ example: 'operators.0 group "Helpdesk"' }) reference?: string;
  @ApiProperty({ example: 'UNRESOLVED' }) code!: string;
  @ApiProperty() message!: string;
}

export class RolesReportDto {
  @ApiProperty({ type: [StepChangeDto], description: 'Planned changes (dry run / report) or the changes applied.' }) changes!: StepChangeDto[];
  @ApiProperty({ type: [RoleFailureDto] }) failures!: RoleFailureDto[];
  @ApiProperty({ description: 'VB365 writes made.' }) writes!: number;
}

export class DriftDto {
  @ApiProperty({ format: 'date-time' }) checkedAt!: string;
  @ApiProperty({ enum: DRIFT_MODES }) mode!: string;
  @ApiProperty({ description: 'Whether the drift was repaired (repair mode).' }) repaired!: boolean;
  @ApiProperty({ type: [StepChangeDto] }) changes!: StepChangeDto[];
  @ApiProperty({ type: [RoleFailureDto] }) failures!: RoleFailureDto[];
}

export class TenantRolesDto {
  @ApiProperty({ type: [RoleDto], description: 'Roles declared explicitly for the tenant.' }) roles!: RoleDto[];
  @ApiProperty({ type: [TemplateUseDto] }) templates!: TemplateUseDto[];
  @ApiProperty({ type: [EffectiveRoleDto], description: 'Explicit roles plus expanded templates, with their VB365 state.' }) effective!: EffectiveRoleDto[];
  @ApiProperty({ enum: DRIFT_MODES }) driftMode!: string;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'date-time' }) rolesChangedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'date-time' }) rolesReconciledAt!: string | null;
  @ApiPropertyOptional({ type: DriftDto, nullable: true, description: 'The last drift check (null: never checked).' }) drift!: DriftDto | null;
}

export class RoleTemplateDto {
  @ApiProperty() name!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ enum: SCOPES }) scope!: ScopeValue;
  @ApiProperty({ type: [RefDto], description: 'May contain {tenant.displayName} / {tenant.domain}.' }) operators!: RefDto[];
  @ApiProperty({ type: [RefDto] }) selectedItems!: RefDto[];
  @ApiProperty({ type: [RefDto] }) excludedItems!: RefDto[];
  @ApiProperty() version!: number;
  @ApiProperty({ description: 'Tenants using the template.' }) tenantCount!: number;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class RoleTemplateListDto {
  @ApiProperty({ type: [RoleTemplateDto] }) items!: RoleTemplateDto[];
}

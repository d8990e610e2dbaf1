import { Body, Controller, Delete, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiError } from '@app/platform';
import { Principal } from '../auth/api-key.service';
import { CorrelationId, CurrentPrincipal, RequireScope } from '../auth/auth.decorators';
import { ApiErrors } from '../openapi/api-errors.decorator';
import { RoleTemplateDto, RoleTemplateListDto, TemplateInputDto } from './role.dto';
import { RoleTemplatesService } from './role-templates.service';

/** Templates reach every tenant using them: a key restricted to some tenants may read but not write them. */
function assertUnrestricted(p: Principal): void {
  if (p.tenantScope.tags.length) {
    throw new ApiError('FORBIDDEN', 'Role templates apply to every tenant using them; this API key is restricted to tagged tenants.', {
      hint: 'Use an API key without a tenant restriction.',
    });
  }
}

@ApiTags('restore operator roles')
@ApiBearerAuth()
@Controller('v1/role-templates')
export class RoleTemplatesController {
  constructor(private readonly templates: RoleTemplatesService) {}

  @Get()
  @RequireScope('tenants:read')
  @ApiOperation({ summary: 'List role templates with the number of tenants using each.' })
  @ApiErrors(200, RoleTemplateListDto, [401, 403])
  async list(): Promise<RoleTemplateListDto> {
    return { items: await this.templates.list() };
  }

  @Get(':name')
  @RequireScope('tenants:read')
  @ApiOperation({ summary: 'Read one role template.' })
  @ApiErrors(200, RoleTemplateDto, [401, 403, 404])
  get(@Param('name') name: string): Promise<RoleTemplateDto> {
    return this.templates.get(name);
  }

  @Put(':name')
  @RequireScope('tenants:write')
  @ApiOperation({
    summary: 'Create or replace a role template.',
    description:
      'References may contain {tenant.displayName} and {tenant.domain}, substituted per tenant. A changed template gets a new version and every tenant using it is marked for reconciliation.',
  })
  @ApiErrors(200, RoleTemplateDto, [400, 401, 403])
  put(
    @Param('name') name: string,
    @Body() body: TemplateInputDto,
    @CurrentPrincipal() p: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<RoleTemplateDto> {
    assertUnrestricted(p);
    return this.templates.put(name, body, p.keyName, correlationId);
  }

  @Delete(':name')
  @RequireScope('tenants:write')
  @ApiOperation({ summary: 'Delete a role template (409 while tenants use it). Answers the deleted template.' })
  @ApiErrors(200, RoleTemplateDto, [401, 403, 404, 409])
  delete(@Param('name') name: string, @CurrentPrincipal() p: Principal, @CorrelationId() correlationId: string): Promise<RoleTemplateDto> {
    assertUnrestricted(p);
    return this.templates.delete(name, p.keyName, correlationId);
  }
}

import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TenantRepository } from '@app/db';
import { ApiError } from '@app/platform';
import { Principal } from '../auth/api-key.service';
import { CorrelationId, CurrentPrincipal, RequireScope } from '../auth/auth.decorators';
import { ApiErrors } from '../openapi/api-errors.decorator';
import { uuidParam } from '../openapi/uuid-param.pipe';
import { ListTenantsQuery, TenantDto, TenantPageDto } from './tenant.dto';
import { CreatedTenantDto, CreateTenantDto, UpdateTenantDto } from './tenant-write.dto';
import { TenantsService } from './tenants.service';

@ApiTags('tenants')
@ApiBearerAuth()
@Controller('v1/tenants')
export class TenantsController {
  constructor(
    private readonly tenants: TenantRepository,
    private readonly service: TenantsService,
  ) {}

  @Post()
  @HttpCode(201)
  @RequireScope('tenants:write')
  @ApiOperation({
    summary: 'Register a customer tenant by Entra tenant id or verified domain.',
    description:
      '`admin-consent-link` (default): the tenant waits for consent (GET /v1/tenants/{id}/consent-link). ' +
      '`preconsented`: an onboarding run starts at once and is returned. A duplicate Entra tenant id answers 409 with `existingTenantId`.',
  })
  @ApiErrors(201, CreatedTenantDto, [400, 401, 403, 409])
  create(
    @Body() body: CreateTenantDto,
    @CurrentPrincipal() p: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<CreatedTenantDto> {
    return this.service.create(p.tenantScope, body, { actor: p.keyName, correlationId });
  }

  @Get()
  @RequireScope('tenants:read')
  @ApiOperation({ summary: 'List tenants visible to this API key (cursor pagination, filters).' })
  @ApiErrors(200, TenantPageDto, [400, 401, 403])
  async list(@Query() q: ListTenantsQuery, @CurrentPrincipal() p: Principal): Promise<TenantPageDto> {
    const page = await this.tenants.list(p.tenantScope, {
      status: q.status,
      tag: q.tag,
      text: q.text,
      excluded: q.excluded,
      after: q.cursor,
      limit: q.limit ?? 50,
    });
    return { items: page.items.map((t) => TenantDto.from(t)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @RequireScope('tenants:read')
  @ApiOperation({ summary: "Read one tenant (404 when outside the key's tenant restriction)." })
  @ApiErrors(200, TenantDto, [400, 401, 403, 404])
  async get(@Param('id', uuidParam('id')) id: string, @CurrentPrincipal() p: Principal): Promise<TenantDto> {
    const t = await this.tenants.findById(p.tenantScope, id);
    if (!t) throw ApiError.notFound('Tenant', id);
    return TenantDto.from(t);
  }

  @Patch(':id')
  @RequireScope('tenants:write')
  @ApiOperation({
    summary:
      'Change display name, tags, exclusion, consent mode, retention, drift modes or sync interval. Never starts a run; an interval or exclusion change reschedules the tenant\'s sync at once.',
  })
  @ApiErrors(200, TenantDto, [400, 401, 403, 404])
  update(
    @Param('id', uuidParam('id')) id: string,
    @Body() body: UpdateTenantDto,
    @CurrentPrincipal() p: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<TenantDto> {
    return this.service.update(p.tenantScope, id, body, { actor: p.keyName, correlationId });
  }

  @Delete(':id')
  @RequireScope('tenants:write')
  @ApiOperation({
    summary: 'Remove a tenant the product has changed nothing for; answers the removed tenant.',
    description:
      '409 while a run is active, or when the tenant is onboarding, active, consent_revoked, offboarding or owns VB365 roles: offboard it first.',
  })
  @ApiErrors(200, TenantDto, [400, 401, 403, 404, 409])
  remove(
    @Param('id', uuidParam('id')) id: string,
    @CurrentPrincipal() p: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<TenantDto> {
    return this.service.remove(p.tenantScope, id, { actor: p.keyName, correlationId });
  }
}

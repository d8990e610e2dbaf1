import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TenantRepository } from '@app/db';
import { ApiError } from '@app/platform';
import { Principal } from '../auth/api-key.service';
import { CurrentPrincipal, RequireScope } from '../auth/auth.decorators';
import { ApiErrors } from '../openapi/api-errors.decorator';
import { uuidParam } from '../openapi/uuid-param.pipe';
import { ListTenantsQuery, TenantDto, TenantPageDto } from './tenant.dto';

@ApiTags('tenants')
@ApiBearerAuth()
@Controller('v1/tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantRepository) {}

  @Get()
  @RequireScope('tenants:read')
  @ApiOperation({ summary: 'List tenants visible to this API key (cursor pagination, filters).' })
  @ApiErrors(200, TenantPageDto, [400, 401, 403])
  async list(@Query() q: ListTenantsQuery, @CurrentPrincipal() p: Principal): Promise<TenantPageDto> {
    const page = await this.tenants.list(p.tenantScope, {
      status: q.status,
      tag: q.tag,
      text: q.text,
      after: q.cursor,
      limit: q.limit ?? 50,
    });
    return { items: page.items.map((t) => TenantDto.from(t)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @RequireScope('tenants:read')
  @ApiOperation({ summary: 'Read one tenant (404 when outside the key\'s tenant restriction).' })
  @ApiErrors(200, TenantDto, [400, 401, 403, 404])
  async get(@Param('id', uuidParam('id')) id: string, @CurrentPrincipal() p: Principal): Promise<TenantDto> {
    const t = await this.tenants.findById(p.tenantScope, id);
    if (!t) throw ApiError.notFound('Tenant', id);
    return TenantDto.from(t);
  }
}

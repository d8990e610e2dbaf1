import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Tenant, TenantRepository } from '@app/db';
import { RoleReconciler, RoleReconcileReport } from '@app/onboarding';
import { ApiError } from '@app/platform';
import { Vb365Error } from '@app/vb365';
import { Principal } from '../auth/api-key.service';
import { CorrelationId, CurrentPrincipal, RequireScope } from '../auth/auth.decorators';
import { ApiErrors } from '../openapi/api-errors.decorator';
import { uuidParam } from '../openapi/uuid-param.pipe';
import { PutRolesDto, RolesReportDto, TenantRolesDto } from './role.dto';
import { TenantRolesService } from './tenant-roles.service';

/** VB365 being busy or down is the server's state, not a bug of ours: answer 429/503 with the adapter's hint. */
async function vb365Call(fn: () => Promise<RoleReconcileReport>): Promise<RoleReconcileReport> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof Vb365Error && (err.code === 'THROTTLED' || err.code === 'TRANSIENT' || err.code === 'UNAUTHORIZED')) {
      throw new ApiError(err.code === 'THROTTLED' ? 'RATE_LIMITED' : 'UNAVAILABLE', `VB365: ${err.message}`, { hint: err.hint });
    }
    throw err;
  }
}

@ApiTags('restore operator roles')
@ApiBearerAuth()
@Controller('v1/tenants/:id/restore-operator-roles')
export class TenantRolesController {
  constructor(
    private readonly tenants: TenantRepository,
    private readonly roles: TenantRolesService,
    private readonly reconciler: RoleReconciler,
  ) {}

  private async tenant(p: Principal, id: string): Promise<Tenant> {
    const t = await this.tenants.findById(p.tenantScope, id);
    if (!t) throw ApiError.notFound('Tenant', id);
    return t;
  }

  @Put()
  @RequireScope('tenants:write')
  @ApiOperation({
    summary: 'Replace the tenant\'s declared restore operator roles (and template uses, drift mode).',
    description: 'Validated as a whole: every bad field is listed and nothing is stored when any is invalid. Marks the tenant for reconciliation.',
  })
  @ApiErrors(200, TenantRolesDto, [400, 401, 403, 404])
  async put(
    @Param('id', uuidParam('id')) id: string,
    @Body() body: PutRolesDto,
    @CurrentPrincipal() p: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<TenantRolesDto> {
    const t = await this.tenant(p, id);
    await this.roles.replace(t, body, p.keyName, correlationId);
    return this.roles.read(t.id);
  }

  @Get()
  @RequireScope('tenants:read')
  @ApiOperation({ summary: 'Declared roles (explicit and from templates), last applied state, VB365 role ids and current drift.' })
  @ApiErrors(200, TenantRolesDto, [400, 401, 403, 404])
  async get(@Param('id', uuidParam('id')) id: string, @CurrentPrincipal() p: Principal): Promise<TenantRolesDto> {
    return this.roles.read((await this.tenant(p, id)).id);
  }

  @Post('plan')
  @HttpCode(200)
  @RequireScope('tenants:read')
  @ApiOperation({ summary: 'Dry run now: the changes a reconciliation would make, and per-role failures. Changes nothing.' })
  @ApiErrors(200, RolesReportDto, [400, 401, 403, 404, 429, 503])
  async plan(@Param('id', uuidParam('id')) id: string, @CurrentPrincipal() p: Principal): Promise<RolesReportDto> {
    const t = await this.tenant(p, id);
    return vb365Call(() => this.reconciler.reconcile(t.id, { dryRun: true }));
  }

  @Post('drift-check')
  @HttpCode(200)
  @RequireScope('tenants:write')
  @ApiOperation({
    summary: 'Drift check now: re-reads the roles on VB365 and stores the differences; repairs them when the tenant\'s drift mode is repair.',
  })
  @ApiErrors(200, RolesReportDto, [400, 401, 403, 404, 429, 503])
  async driftCheck(@Param('id', uuidParam('id')) id: string, @CurrentPrincipal() p: Principal): Promise<RolesReportDto> {
    const t = await this.tenant(p, id);
    return vb365Call(() => this.reconciler.checkDrift(t.id));
  }
}

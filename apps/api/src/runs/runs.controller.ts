import { Body, Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { FastifyReply, FastifyRequest } from 'fastify';
import { TenantRepository } from '@app/db';
import { BatchService, RunControl, RunLauncher } from '@app/onboarding';
import { ApiError, CORRELATION_HEADER } from '@app/platform';
import { Principal } from '../auth/api-key.service';
import { CorrelationId, CurrentPrincipal, RequireScope } from '../auth/auth.decorators';
import { ApiErrors } from '../openapi/api-errors.decorator';
import { uuidParam } from '../openapi/uuid-param.pipe';
import { streamRunEvents } from './run-events';
import { BatchAcceptedDto, BulkRunDto, RunDto, StartRunDto } from './run.dto';

@ApiTags('runs')
@ApiBearerAuth()
@Controller('v1')
export class RunsController {
  constructor(
    private readonly tenants: TenantRepository,
    private readonly launcher: RunLauncher,
    private readonly control: RunControl,
    private readonly batches: BatchService,
  ) {}

  @Post('tenants/:id/runs')
  @HttpCode(202)
  @RequireScope('runs:write')
  @ApiOperation({ summary: 'Start an onboarding, resync or offboarding run (409 while another run is active).' })
  @ApiErrors(202, RunDto, [400, 401, 403, 404, 409])
  async start(
    @Param('id', uuidParam('id')) id: string,
    @Body() body: StartRunDto,
    @CurrentPrincipal() p: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<RunDto> {
    const tenant = await this.tenants.findById(p.tenantScope, id);
    if (!tenant) throw ApiError.notFound('Tenant', id);
    const run = await this.launcher.start(tenant.id, {
      kind: body.kind,
      dryRun: body.dryRun,
      requestedBy: p.keyName,
      correlationId,
      options: { keepServicePrincipal: body.keepServicePrincipal, adoptRoles: body.adoptRoles },
    });
    return RunDto.from(await this.control.get(p.tenantScope, run.id));
  }

  @Get('tenants/:id/runs')
  @RequireScope('tenants:read')
  @ApiOperation({ summary: "The tenant's most recent runs (newest first, at most 50) with their steps." })
  @ApiErrors(200, [RunDto], [400, 401, 403, 404])
  async list(@Param('id', uuidParam('id')) id: string, @CurrentPrincipal() p: Principal): Promise<RunDto[]> {
    const tenant = await this.tenants.findById(p.tenantScope, id);
    if (!tenant) throw ApiError.notFound('Tenant', id);
    return (await this.control.listForTenant(tenant.id, 50)).map((r) => RunDto.from(r));
  }

  @Post('runs/bulk')
  @HttpCode(202)
  @RequireScope('runs:write')
  @ApiOperation({ summary: 'Start runs for up to 10,000 tenants (ids or tag); excluded and parked tenants are skipped.' })
  @ApiErrors(202, BatchAcceptedDto, [400, 401, 403])
  async bulk(@Body() body: BulkRunDto, @CurrentPrincipal() p: Principal, @CorrelationId() correlationId: string): Promise<BatchAcceptedDto> {
    if (body.tenantIds && body.tag !== undefined) {
      throw ApiError.validation([{ field: 'tag', message: 'give either tenantIds or tag, not both' }]);
    }
    const batch = await this.batches.create(
      p.tenantScope,
      {
        kind: body.kind,
        dryRun: body.dryRun,
        tenantIds: body.tenantIds,
        tag: body.tag,
        options: { keepServicePrincipal: body.keepServicePrincipal, adoptRoles: body.adoptRoles },
      },
      p.keyName,
      correlationId,
    );
    return { batchId: batch.id, total: batch.total };
  }

  @Get('runs/:id')
  @RequireScope('tenants:read')
  @ApiOperation({ summary: 'A run with its steps: status, attempts, timings, error code and hint, changes.' })
  @ApiErrors(200, RunDto, [400, 401, 403, 404])
  async get(@Param('id', uuidParam('id')) id: string, @CurrentPrincipal() p: Principal): Promise<RunDto> {
    return RunDto.from(await this.control.get(p.tenantScope, id));
  }

  @Get('runs/:id/events')
  @RequireScope('tenants:read')
  @ApiProduces('text/event-stream')
  @ApiOperation({ summary: 'Progress as Server-Sent Events: `run`, `step` and a final `end` event.' })
  @ApiErrors(200, null, [400, 401, 403, 404])
  @ApiResponse({
    status: 200,
    description: 'text/event-stream: `event: run` (RunDto without steps), `event: step` (RunStepDto), `event: end` ({status}).',
    content: { 'text/event-stream': { schema: { type: 'string', example: 'event: step\ndata: {"name":"verify-access","status":"succeeded"}\n\n' } } },
  })
  async events(
    @Param('id', uuidParam('id')) id: string,
    @CurrentPrincipal() p: Principal,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.control.get(p.tenantScope, id); // 404 before the stream starts
    reply.hijack();
    let closed = false;
    req.raw.on('close', () => (closed = true));
    await streamRunEvents(reply.raw, () => this.control.get(p.tenantScope, id), () => closed, { [CORRELATION_HEADER]: req.id });
  }

  @Post('runs/:id/cancel')
  @HttpCode(202)
  @RequireScope('runs:write')
  @ApiOperation({ summary: 'Cancel a run: at once when queued or parked, before its next step when running.' })
  @ApiErrors(202, RunDto, [400, 401, 403, 404, 409])
  async cancel(@Param('id', uuidParam('id')) id: string, @CurrentPrincipal() p: Principal, @CorrelationId() c: string): Promise<RunDto> {
    return RunDto.from(await this.control.cancel(p.tenantScope, id, p.keyName, c));
  }

  @Post('runs/:id/retry')
  @HttpCode(202)
  @RequireScope('runs:write')
  @ApiOperation({ summary: 'Resume a failed or cancelled run at its first unfinished step (also un-parks the tenant).' })
  @ApiErrors(202, RunDto, [400, 401, 403, 404, 409])
  async retry(@Param('id', uuidParam('id')) id: string, @CurrentPrincipal() p: Principal, @CorrelationId() c: string): Promise<RunDto> {
    return RunDto.from(await this.control.retry(p.tenantScope, id, p.keyName, c));
  }
}

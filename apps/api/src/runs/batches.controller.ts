import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { BatchService } from '@app/onboarding';
import { ApiError } from '@app/platform';
import { Principal } from '../auth/api-key.service';
import { CurrentPrincipal, RequireScope } from '../auth/auth.decorators';
import { ApiErrors } from '../openapi/api-errors.decorator';
import { uuidParam } from '../openapi/uuid-param.pipe';
import { BatchDto } from './run.dto';

@ApiTags('runs')
@ApiBearerAuth()
@Controller('v1/batches')
export class BatchesController {
  constructor(private readonly batches: BatchService) {}

  @Get(':id')
  @RequireScope('tenants:read')
  @ApiOperation({ summary: 'A bulk request: runs created so far and counts per status.' })
  @ApiErrors(200, BatchDto, [400, 401, 403, 404])
  async get(@Param('id', uuidParam('id')) id: string, @CurrentPrincipal() p: Principal): Promise<BatchDto> {
    const b = await this.batches.status(p.tenantScope, id);
    if (!b) throw ApiError.notFound('Batch', id);
    return {
      id: b.id,
      kind: b.kind,
      dryRun: b.dryRun,
      total: b.total,
      created: b.created,
      counts: b.counts,
      skipped: b.skipped as { tenantId: string; reason: string }[],
      createdAt: b.createdAt.toISOString(),
    };
  }
}

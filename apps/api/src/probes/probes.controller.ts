import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CorrelationId, RequireScope } from '../auth/auth.decorators';
import { ApiErrors } from '../openapi/api-errors.decorator';
import { uuidParam } from '../openapi/uuid-param.pipe';
import { CreateProbeDto, ProbeDto } from './probe.dto';
import { ProbesService } from './probes.service';

@ApiTags('system')
@ApiBearerAuth()
@Controller('v1/probes')
export class ProbesController {
  constructor(private readonly probes: ProbesService) {}

  @Post()
  @HttpCode(201)
  @RequireScope('admin')
  @ApiOperation({ summary: 'Send a probe through the queue and the worker; optionally wait for it.' })
  @ApiErrors(201, ProbeDto, [400, 401, 403])
  create(@Body() body: CreateProbeDto, @CorrelationId() correlationId: string): Promise<ProbeDto> {
    return this.probes.create(correlationId, body);
  }

  @Get(':id')
  @RequireScope('admin')
  @ApiOperation({ summary: 'Read a probe.' })
  @ApiErrors(200, ProbeDto, [400, 401, 403, 404])
  get(@Param('id', uuidParam('id')) id: string): Promise<ProbeDto> {
    return this.probes.get(id);
  }
}

import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectQueue } from '@nestjs/bullmq';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { Queue } from 'bullmq';
import { PrismaService } from '@app/db';
import { checkWithTimeout } from '@app/platform';
import { Public } from '../auth/auth.decorators';

const CHECK_TIMEOUT_MS = 2_000;

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly prisma: PrismaService,
    @InjectQueue('system') private readonly queue: Queue,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process is up (no dependency checks).' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: Postgres and Redis reachable within 2 s each; 503 otherwise.' })
  ready() {
    return this.health.check([
      () => checkWithTimeout('postgres', () => this.prisma.ping(), CHECK_TIMEOUT_MS),
      () => checkWithTimeout('redis', () => this.queue.getJobCounts('waiting'), CHECK_TIMEOUT_MS),
    ]);
  }
}

import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Prisma, PrismaService, tenantWhere } from '@app/db';
import { Principal } from '../auth/api-key.service';
import { CurrentPrincipal, RequireScope } from '../auth/auth.decorators';
import { ApiErrors } from '../openapi/api-errors.decorator';
import { ActivityEntryDto, ActivityPageDto, ActivityQuery } from './activity.dto';

/**
 * The activity log: every change the product made or was asked to make. Read-only by construction — there is no
 * route that writes it, and the database refuses UPDATE/DELETE/TRUNCATE (trigger in the trust migration).
 */
@ApiTags('activity')
@ApiBearerAuth()
@Controller('v1/activity')
export class ActivityController {
  constructor(private readonly prisma: PrismaService) {}

  @Get()
  @RequireScope('tenants:read')
  @ApiOperation({ summary: 'Activity log, newest first, with filters and cursor pagination.' })
  @ApiErrors(200, ActivityPageDto, [400, 401, 403])
  async list(@Query() q: ActivityQuery, @CurrentPrincipal() p: Principal): Promise<ActivityPageDto> {
    const limit = q.limit ?? 100;
    const where: Prisma.ActivityLogWhereInput = {
      tenantId: q.tenantId,
      runId: q.runId,
      actor: q.actor,
      correlationId: q.correlationId,
      ...(q.actorKeyId ? { details: { path: ['actorKeyId'], equals: q.actorKeyId } } : {}),
      ...(q.action ? { action: q.action.endsWith('.') ? { startsWith: q.action } : q.action } : {}),
      at: { gte: q.from, lt: q.to },
      ...(q.cursor ? { id: { lt: BigInt(q.cursor) } } : {}),
    };
    // A tag-restricted key sees only rows about tenants it can see (rows about no tenant are not theirs either).
    const and: Prisma.ActivityLogWhereInput[] = [where];
    if (p.tenantScope.tags.length) {
      const visible = await this.prisma.tenant.findMany({ where: tenantWhere(p.tenantScope), select: { id: true } });
      and.push({ tenantId: { in: visible.map((t) => t.id) } });
    }
    const rows = await this.prisma.activityLog.findMany({ where: { AND: and }, orderBy: { id: 'desc' }, take: limit + 1 });
    const page = rows.slice(0, limit);
    return {
      items: page.map((r) => ActivityEntryDto.from(r)),
      nextCursor: rows.length > limit ? page[page.length - 1]!.id.toString() : null,
    };
  }
}

import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { FastifyReply, FastifyRequest } from 'fastify';
import { AuditQuery, AuditQueryRepository, decodeCursor } from '@app/audit';
import { TenantRepository } from '@app/db';
import { ApiError, CORRELATION_HEADER } from '@app/platform';
import { Principal } from '../auth/api-key.service';
import { CurrentPrincipal, RequireScope } from '../auth/auth.decorators';
import { ApiErrors } from '../openapi/api-errors.decorator';
import { uuidParam } from '../openapi/uuid-param.pipe';
import { AuditEventDto, AuditEventPageDto, AuditEventsQuery } from './audit-events.dto';
import { exportFormatOf, streamExport } from './audit-export';

const exportResponse = {
  status: 200,
  description: 'With `Accept: text/csv` or `application/x-ndjson`: every matching event, streamed (no pagination).',
  content: {
    'text/csv': { schema: { type: 'string' } },
    'application/x-ndjson': { schema: { type: 'string' } },
  },
} as const;

/**
 * Audit events (restore sessions and their events, Entra directory audits about our apps), newest first. Every
 * query is limited to the tenants the API key may see (docs/audit.md "Query API").
 */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('v1')
export class AuditEventsController {
  constructor(
    private readonly audit: AuditQueryRepository,
    private readonly tenants: TenantRepository,
  ) {}

  @Get('audit-events')
  @RequireScope('audit:read')
  @ApiOperation({ summary: 'Audit events of all visible tenants: filters, keyset cursor pagination, or a CSV/NDJSON export.' })
  @ApiProduces('application/json', 'text/csv', 'application/x-ndjson')
  @ApiHeader({ name: 'accept', required: false, description: '`text/csv` or `application/x-ndjson` for a streamed export.' })
  @ApiErrors(200, AuditEventPageDto, [400, 401, 403])
  @ApiResponse(exportResponse)
  async list(@Query() q: AuditEventsQuery, @CurrentPrincipal() p: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.respond(q, q.tenantId, p, req, reply);
  }

  @Get('tenants/:id/audit-events')
  @RequireScope('audit:read')
  @ApiOperation({ summary: "One tenant's audit events: filters, keyset cursor pagination, or a CSV/NDJSON export." })
  @ApiProduces('application/json', 'text/csv', 'application/x-ndjson')
  @ApiHeader({ name: 'accept', required: false, description: '`text/csv` or `application/x-ndjson` for a streamed export.' })
  @ApiErrors(200, AuditEventPageDto, [400, 401, 403, 404])
  @ApiResponse(exportResponse)
  async forTenant(
    @Param('id', uuidParam('id')) id: string,
    @Query() q: AuditEventsQuery,
    @CurrentPrincipal() p: Principal,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (!(await this.tenants.findById(p.tenantScope, id))) throw new ApiError('NOT_FOUND', `Tenant ${id} not found.`);
    await this.respond(q, id, p, req, reply);
  }

  private async respond(q: AuditEventsQuery, tenantId: string | undefined, p: Principal, req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const query: AuditQuery = { tenantId, from: q.from, to: q.to, source: q.source, action: q.action, actor: q.actor, result: q.result, itemType: q.itemType, q: q.q };
    const format = exportFormatOf(req.headers.accept);
    if (format) {
      reply.hijack();
      await streamExport(reply.raw, format, this.audit.stream(p.tenantScope, query), { [CORRELATION_HEADER]: String(req.id) });
      return;
    }
    let cursor: { at: Date; id: string } | undefined;
    if (q.cursor) {
      cursor = decodeCursor(q.cursor);
      if (!cursor) throw new ApiError('VALIDATION_FAILED', 'cursor must be a nextCursor value.');
    }
    const page = await this.audit.page(p.tenantScope, query, q.limit ?? 100, cursor);
    const body: AuditEventPageDto = { items: page.items.map((r) => AuditEventDto.from(r)), nextCursor: page.nextCursor };
    await reply.status(200).send(body);
  }
}

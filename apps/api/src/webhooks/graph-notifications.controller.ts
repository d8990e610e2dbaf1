import { Controller, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { PrismaService, SecretStore } from '@app/db';
import { JobProducer } from '@app/jobs';
import { ApiError } from '@app/platform';
import { verifyGraphClientState } from '@app/security';
import { Public } from '../auth/auth.decorators';

/** Notifications that arrive within this window for one tenant trigger one sync (deterministic job id). */
const COALESCE_MS = 30_000;

const notificationsSchema = z.object({
  value: z
    .array(
      z
        .object({
          subscriptionId: z.string().max(100),
          clientState: z.string().max(200).nullable().optional(),
          changeType: z.string().max(50),
          resource: z.string().max(500),
          tenantId: z.string().max(100).optional(),
        })
        .passthrough(),
    )
    .min(1)
    .max(1000),
});

/**
 * `POST /v1/graph/notifications` — Microsoft Graph change notifications (contracts/entra-graph.md §7).
 * - Validation handshake: `?validationToken=…` is echoed as text/plain with 200 (Graph allows 10 s).
 * - Notifications: each item's clientState is checked in constant time (it names the product tenant and carries
 *   an HMAC under a key derived from the master key); a valid one records the notification and enqueues that
 *   tenant's sync (consent and role drift checks, issue 7's `audit.sync-tenant` job), coalesced per 30 s; the
 *   answer is 202 well within Graph's 3 s. Forged or unknown items are recorded and dropped, excluded tenants
 *   are never touched. Authenticated by clientState, not an API key: @Public, excluded from the OpenAPI document.
 */
@Controller('v1/graph')
export class GraphNotificationsController {
  constructor(
    private readonly prisma: PrismaService,
    private readonly producer: JobProducer,
    private readonly secrets: SecretStore,
  ) {}

  @Post('notifications')
  @Public()
  @HttpCode(202)
  @ApiExcludeEndpoint()
  async receive(
    @Query('validationToken') validationToken: unknown,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string | { accepted: number; rejected: number; ignored: number }> {
    if (validationToken !== undefined) {
      if (typeof validationToken !== 'string' || validationToken.length > 2048)
        throw ApiError.validation([{ field: 'validationToken', message: 'must be one string of at most 2048 characters' }]);
      reply.status(200).header('content-type', 'text/plain; charset=utf-8').header('x-content-type-options', 'nosniff');
      return validationToken;
    }
    const parsed = notificationsSchema.safeParse(req.body);
    if (!parsed.success)
      throw ApiError.validation(parsed.error.issues.slice(0, 20).map((i) => ({ field: i.path.join('.') || 'body', message: i.message })));
    const key = this.secrets.derivedKey('graph-client-state');
    let accepted = 0;
    let rejected = 0;
    let ignored = 0;
    const bucket = Math.floor(Date.now() / COALESCE_MS);
    for (const n of parsed.data.value) {
      const tenantId = verifyGraphClientState(key, n.clientState);
      const tenant = tenantId && /^[0-9a-f-]{36}$/.test(tenantId) ? await this.prisma.tenant.findUnique({ where: { id: tenantId } }) : null;
      const details = { subscriptionId: n.subscriptionId, changeType: n.changeType, resource: n.resource };
      if (!tenant || (n.tenantId && tenant.entraTenantId && n.tenantId.toLowerCase() !== tenant.entraTenantId)) {
        rejected++;
        await this.prisma.activityLog.create({
          data: { actor: 'graph', action: 'graph.notification_rejected', correlationId: req.id, clientIp: req.ip, details: { ...details, reason: 'clientState or tenant mismatch' } },
        });
        continue;
      }
      if (tenant.excluded) {
        ignored++;
        continue;
      }
      accepted++;
      await this.prisma.activityLog.create({
        data: { actor: 'graph', action: 'graph.notification', tenantId: tenant.id, correlationId: req.id, clientIp: req.ip, details },
      });
      await this.producer.enqueue('audit', 'audit.sync-tenant', { tenantId: tenant.id, correlationId: req.id }, { jobId: `graph-${tenant.id}-${bucket}` });
    }
    return { accepted, rejected, ignored };
  }
}

import { Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import { FastifyReply, FastifyRequest } from 'fastify';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { PrismaService } from '@app/db';
import { JobProducer } from '@app/jobs';
import { ActiveSecrets } from '@app/onboarding';
import { ApiError } from '@app/platform';
import { verifyWebhook } from '@app/security';
import { Public } from '../auth/auth.decorators';

const SOURCE_RE = /^[a-z0-9-]{1,32}$/;
const header = (req: FastifyRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
};

/**
 * `POST /v1/webhooks/{source}` — events from the MSP's PSA/billing system, authenticated by a Standard Webhooks
 * signature instead of an API key (so @Public and excluded from the API-key OpenAPI document; docs/webhooks.md).
 * Store, then process: the verified raw body is inserted (webhook-id unique per source) and answered 202; the
 * worker applies it from the `webhooks` queue. Sources and their secrets (current + previous during a rotation) are
 * `webhook.inbound.<source>` in the encrypted secret store. A webhook-id seen before is acknowledged (200) and not processed.
 */
@Controller('v1/webhooks')
export class InboundWebhooksController {
  constructor(
    private readonly prisma: PrismaService,
    private readonly producer: JobProducer,
    private readonly secrets: ActiveSecrets,
    @InjectPinoLogger(InboundWebhooksController.name) private readonly logger: PinoLogger,
  ) {}

  @Post(':source')
  @Public()
  @HttpCode(202)
  @ApiExcludeEndpoint()
  async receive(
    @Param('source') source: string,
    @Req() req: FastifyRequest & { rawBody?: Buffer },
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ id: string; status: 'accepted' | 'duplicate' }> {
    // From memory (ActiveSecrets: the secret store, re-checked every 5 s), never a database round trip per request.
    const secrets = SOURCE_RE.test(source) ? this.secrets.inboundSecrets(source) : undefined;
    if (!secrets?.length) throw new ApiError('NOT_FOUND', `No inbound webhook source named ${JSON.stringify(source.slice(0, 40))} is configured.`);
    const raw = req.rawBody;
    if (!raw) throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'Send the event as application/json.');
    const headers = {
      'webhook-id': header(req, 'webhook-id'),
      'webhook-timestamp': header(req, 'webhook-timestamp'),
      'webhook-signature': header(req, 'webhook-signature'),
    };
    const verdict = verifyWebhook(secrets, headers, raw, Math.floor(Date.now() / 1000));
    if (!verdict.ok) throw new ApiError('UNAUTHENTICATED', `Webhook signature check failed: ${verdict.reason}.`, { reason: verdict.reason });
    const webhookId = headers['webhook-id']!;
    if (webhookId.length > 200) throw ApiError.validation([{ field: 'webhook-id', message: 'at most 200 characters' }]);
    const body = req.body as { type?: unknown } | null;
    const eventType = typeof body?.type === 'string' ? body.type.slice(0, 100) : null;
    // One round trip: the event and its activity-log row are inserted by one statement (atomic), and a webhook-id
    // seen before inserts neither (ON CONFLICT DO NOTHING) — the 202 budget is 100 ms at p99 under load.
    const details = JSON.stringify({ webhookId, eventType });
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      WITH ev AS (
        INSERT INTO inbound_events (id, source, webhook_id, event_type, body, client_ip, correlation_id)
        VALUES (gen_random_uuid(), ${source}, ${webhookId}, ${eventType}, ${raw.toString('utf8')}, ${req.ip}, ${req.id})
        ON CONFLICT (source, webhook_id) DO NOTHING
        RETURNING id),
      log AS (
        INSERT INTO activity_log (actor, action, correlation_id, client_ip, details)
        SELECT ${`webhook:${source}`}, 'webhook.received', ${req.id}, ${req.ip}, jsonb_build_object('inboundEventId', ev.id) || ${details}::jsonb
        FROM ev)
      SELECT id::text AS id FROM ev`;
    const id = rows[0]?.id;
    if (!id) {
      const seen = await this.prisma.inboundEvent.findUniqueOrThrow({ where: { source_webhookId: { source, webhookId } } });
      reply.status(200);
      return { id: seen.id, status: 'duplicate' };
    }
    try {
      await this.producer.enqueue('webhooks', 'webhooks.inbound', { inboundEventId: id, correlationId: req.id }, { jobId: `inbound-${id}` });
    } catch (err) {
      // Stored is what we promised: the worker's dispatch tick picks up events still `received` after 30 s.
      this.logger.warn({ err, inboundEventId: id }, 'inbound webhook stored but not enqueued');
    }
    return { id, status: 'accepted' };
  }
}

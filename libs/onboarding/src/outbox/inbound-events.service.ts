import { Injectable } from '@nestjs/common';
import { ActivityContext, InboundEvent, Prisma, PrismaService, Run, TenantRepository, UNRESTRICTED } from '@app/db';
import { RunConflictError, RunLauncher } from '../runs/run-launcher.service';
import { InboundEventBody, parseInboundEvent } from './inbound-event.schemas';

export type InboundOutcome = { status: 'processed' | 'invalid'; reason?: string; tenantId?: string };

/**
 * Applies a stored inbound webhook event (store-then-process: the api stored the raw body and answered 202).
 * Reuses the tenant repository and run launcher the Tenants API uses, so a webhook changes tenants exactly as an
 * API call would, with an activity-log row whose actor is `webhook:<source>`. Excluded tenants are never touched.
 * An invalid event is kept with its reason and changes nothing. Processing an event twice is a no-op.
 */
@Injectable()
export class InboundEvents {
  constructor(
    private readonly prisma: PrismaService,
    private readonly tenants: TenantRepository,
    private readonly launcher: RunLauncher,
  ) {}

  async process(id: string): Promise<InboundOutcome | null> {
    const ev = await this.prisma.inboundEvent.findUnique({ where: { id } });
    if (!ev || ev.status !== 'received') return null;
    const parsed = parseInboundEvent(ev.body);
    if (!parsed.ok) return this.finish(ev, { status: 'invalid', reason: parsed.reason });
    const who: ActivityContext = { actor: `webhook:${ev.source}`, correlationId: ev.correlationId };
    const { outcome, run } = await this.apply(ev, parsed.event, who);
    // Enqueued after commit (the worker must be able to read the run); the job id is the run id, so a retry of
    // this job cannot duplicate it.
    if (run) await this.launcher.enqueue(run);
    return outcome;
  }

  /**
   * Events still `received` 30 s after they arrived (their job was never enqueued, e.g. Redis was down when the
   * api stored them): processed by the worker's dispatch tick, so a stored event is never forgotten.
   */
  async sweepStale(now = new Date()): Promise<number> {
    const stale = await this.prisma.inboundEvent.findMany({
      where: { status: 'received', receivedAt: { lt: new Date(now.getTime() - 30_000) } },
      orderBy: { receivedAt: 'asc' },
      take: 50,
      select: { id: true },
    });
    for (const { id } of stale) await this.process(id);
    return stale.length;
  }

  private async apply(ev: InboundEvent, e: InboundEventBody, who: ActivityContext): Promise<{ outcome: InboundOutcome; run?: Run }> {
    const existing = await this.prisma.tenant.findUnique({ where: { entraTenantId: e.data.entraTenantId } });
    if (e.type === 'tenant.created') {
      if (existing) return { outcome: await this.finish(ev, { status: 'processed', reason: 'tenant already registered', tenantId: existing.id }) };
      const preconsented = e.data.consentMode === 'preconsented';
      try {
        return await this.prisma.$transaction(async (tx) => {
          const tenant = await this.tenants.create(
            tx,
            {
              entraTenantId: e.data.entraTenantId,
              displayName: e.data.displayName,
              tags: [...new Set(e.data.tags ?? [])],
              excluded: e.data.excluded ?? false,
              consentMode: e.data.consentMode ?? 'admin_consent_link',
              status: preconsented && !e.data.excluded ? 'onboarding' : 'awaiting_consent',
            },
            who,
          );
          const run =
            preconsented && !e.data.excluded
              ? await this.launcher.create(tenant.id, { kind: 'onboard', requestedBy: who.actor, correlationId: who.correlationId }, tx)
              : undefined;
          const outcome = await this.finish(ev, { status: 'processed', tenantId: tenant.id }, tx);
          return { outcome, run };
        });
      } catch (err) {
        // Registered concurrently by another delivery or an API call: the tenant exists, which is what was asked.
        if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002')
          return { outcome: await this.finish(ev, { status: 'processed', reason: 'tenant already registered' }) };
        throw err;
      }
    }
    if (!existing) return { outcome: await this.finish(ev, { status: 'invalid', reason: `no tenant with entraTenantId ${e.data.entraTenantId}` }) };
    if (existing.excluded)
      return { outcome: await this.finish(ev, { status: 'invalid', reason: 'tenant is excluded: webhooks never change it', tenantId: existing.id }) };
    if (e.type === 'tenant.updated') {
      const { entraTenantId: _, ...patch } = e.data;
      if (Object.values(patch).every((v) => v === undefined))
        return { outcome: await this.finish(ev, { status: 'invalid', reason: 'data: give at least one field to change', tenantId: existing.id }) };
      await this.tenants.update(UNRESTRICTED, existing.id, { ...patch, tags: patch.tags && [...new Set(patch.tags)] }, who);
      return { outcome: await this.finish(ev, { status: 'processed', tenantId: existing.id }) };
    }
    const kind = e.type === 'tenant.offboarded' ? 'offboard' : 'resync';
    if (kind === 'offboard' && existing.status === 'offboarded')
      return { outcome: await this.finish(ev, { status: 'processed', reason: 'tenant already offboarded', tenantId: existing.id }) };
    try {
      return await this.prisma.$transaction(async (tx) => {
        const run = await this.launcher.create(existing.id, { kind, requestedBy: who.actor, correlationId: who.correlationId }, tx);
        return { outcome: await this.finish(ev, { status: 'processed', tenantId: existing.id }, tx), run };
      });
    } catch (err) {
      if (err instanceof RunConflictError)
        return { outcome: await this.finish(ev, { status: 'invalid', reason: `${err.message} (a ${kind} run was not started)`, tenantId: existing.id }) };
      throw err;
    }
  }

  private async finish(ev: InboundEvent, o: InboundOutcome, db: Prisma.TransactionClient = this.prisma): Promise<InboundOutcome> {
    await db.inboundEvent.update({
      where: { id: ev.id },
      data: { status: o.status, reason: o.reason ?? null, tenantId: o.tenantId ?? null, processedAt: new Date() },
    });
    if (o.status === 'invalid')
      await db.activityLog.create({
        data: {
          actor: `webhook:${ev.source}`,
          action: 'webhook.rejected',
          tenantId: o.tenantId ?? null,
          correlationId: ev.correlationId,
          clientIp: ev.clientIp,
          details: { inboundEventId: ev.id, webhookId: ev.webhookId, eventType: ev.eventType, reason: o.reason ?? null },
        },
      });
    return o;
  }
}

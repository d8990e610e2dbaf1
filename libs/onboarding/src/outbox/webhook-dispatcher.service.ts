import { Injectable, Logger } from '@nestjs/common';
import { OutboxEvent, Prisma, PrismaService, SecretStore, WebhookDelivery, WebhookSubscription } from '@app/db';
import { signWebhook } from '@app/security';
import { backoffAfter, DELIVERY_LEASE_MS, GIVE_UP_AFTER_MS, webhookBody } from './webhook-delivery-policy';

const FAN_OUT_BATCH = 500;
const DELIVERY_BATCH = 50;
const DELIVERY_PARALLELISM = 10;
const REQUEST_TIMEOUT_MS = 10_000;

export interface DispatchResult {
  fannedOut: number;
  attempted: number;
  succeeded: number;
}

type DueDelivery = WebhookDelivery & { subscription: WebhookSubscription; outboxEvent: OutboxEvent };

/**
 * Outbound webhooks: outbox rows → one delivery per matching subscription → signed POSTs, retried with
 * exponential backoff for up to 24 hours. Postgres is the only state (leases with SKIP LOCKED, next attempt
 * times), so any number of workers can run it and a Redis or worker outage only delays deliveries.
 */
@Injectable()
export class WebhookDispatcher {
  private readonly logger = new Logger(WebhookDispatcher.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly secrets: SecretStore,
  ) {}

  async tick(now = new Date()): Promise<DispatchResult> {
    const fannedOut = await this.fanOut(now);
    const { attempted, succeeded } = await this.deliverDue(now);
    return { fannedOut, attempted, succeeded };
  }

  /** Turns undispatched outbox rows into deliveries, in one transaction per batch (idempotent by unique key). */
  async fanOut(now = new Date()): Promise<number> {
    return this.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM outbox_events WHERE dispatched_at IS NULL ORDER BY created_at LIMIT ${FAN_OUT_BATCH} FOR UPDATE SKIP LOCKED`;
      if (!rows.length) return 0;
      const events = await tx.outboxEvent.findMany({ where: { id: { in: rows.map((r) => r.id) } } });
      const subs = await tx.webhookSubscription.findMany({ where: { enabled: true } });
      const tenantIds = [...new Set(events.map((e) => e.tenantId).filter((t): t is string => !!t))];
      const tenants = await tx.tenant.findMany({ where: { id: { in: tenantIds } }, select: { id: true, tags: true } });
      const tagsOf = new Map(tenants.map((t) => [t.id, t.tags]));
      const deliveries: Prisma.WebhookDeliveryCreateManyInput[] = [];
      for (const e of events) {
        for (const s of subs) {
          if (s.events.length && !s.events.includes(e.type)) continue;
          // A subscription made by a tag-restricted key only hears about tenants that key can see.
          const tags = (e.tenantId && tagsOf.get(e.tenantId)) || [];
          if (s.tenantTags.length && !tags.some((t) => s.tenantTags.includes(t))) continue;
          // Times come from the caller's clock (not the database's), so the first attempt is due on this very tick.
          deliveries.push({ subscriptionId: s.id, outboxEventId: e.id, eventType: e.type, tenantId: e.tenantId, nextAttemptAt: now, createdAt: now });
        }
      }
      if (deliveries.length) await tx.webhookDelivery.createMany({ data: deliveries, skipDuplicates: true });
      await tx.outboxEvent.updateMany({ where: { id: { in: events.map((e) => e.id) } }, data: { dispatchedAt: now } });
      return deliveries.length;
    });
  }

  /** Claims due deliveries with a lease (so a crashed worker's claim expires) and attempts each once. */
  async deliverDue(now: Date): Promise<{ attempted: number; succeeded: number }> {
    const lease = new Date(now.getTime() + DELIVERY_LEASE_MS);
    const claimed = await this.prisma.$queryRaw<{ id: string }[]>`
      UPDATE webhook_deliveries SET next_attempt_at = ${lease}
      WHERE id IN (
        SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ${now}
        ORDER BY next_attempt_at LIMIT ${DELIVERY_BATCH} FOR UPDATE SKIP LOCKED)
      RETURNING id`;
    if (!claimed.length) return { attempted: 0, succeeded: 0 };
    const due = await this.prisma.webhookDelivery.findMany({
      where: { id: { in: claimed.map((c) => c.id) } },
      include: { subscription: true, outboxEvent: true },
    });
    let succeeded = 0;
    for (let i = 0; i < due.length; i += DELIVERY_PARALLELISM) {
      const results = await Promise.all(due.slice(i, i + DELIVERY_PARALLELISM).map((d) => this.attempt(d, now)));
      succeeded += results.filter(Boolean).length;
    }
    return { attempted: due.length, succeeded };
  }

  private async attempt(d: DueDelivery, now: Date): Promise<boolean> {
    if (!d.subscription.enabled) {
      await this.prisma.webhookDelivery.update({
        where: { id: d.id },
        data: { status: 'failed', lastError: 'subscription disabled' },
      });
      return false;
    }
    const body = JSON.stringify(webhookBody(d.outboxEvent));
    // webhook-id is the event id, the same on every retry, so receivers can drop duplicates (at-least-once).
    const headers = signWebhook(await this.secrets.get(d.subscription.secretId), d.outboxEvent.id, Math.floor(now.getTime() / 1000), body);
    const started = Date.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(d.subscription.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'vb365-orchestrator-webhooks/1', ...headers },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      statusCode = res.status;
      await res.body?.cancel();
      if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}`;
    } catch (e) {
      error = e instanceof Error && e.name === 'TimeoutError' ? 'timeout' : `network error: ${(e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message}`.slice(0, 300);
    }
    const durationMs = Date.now() - started;
    const ok = error === null;
    const attempts = d.attempts + 1;
    const givesUp = !ok && now.getTime() - d.createdAt.getTime() >= GIVE_UP_AFTER_MS;
    await this.prisma.$transaction(async (tx) => {
      await tx.webhookDeliveryAttempt.create({ data: { deliveryId: d.id, at: now, statusCode, error, durationMs } });
      await tx.webhookDelivery.update({
        where: { id: d.id },
        data: ok
          ? { status: 'succeeded', attempts, lastStatusCode: statusCode, lastError: null, deliveredAt: now }
          : {
              status: givesUp ? 'failed' : 'pending',
              attempts,
              lastStatusCode: statusCode,
              lastError: error,
              nextAttemptAt: new Date(now.getTime() + backoffAfter(attempts)),
            },
      });
      if (ok) {
        if (d.subscription.failingSince) await tx.webhookSubscription.update({ where: { id: d.subscription.id }, data: { failingSince: null } });
        return;
      }
      const sub = await tx.webhookSubscription.findUniqueOrThrow({ where: { id: d.subscription.id } });
      const failingSince = sub.failingSince ?? now;
      if (!sub.failingSince) await tx.webhookSubscription.update({ where: { id: sub.id }, data: { failingSince } });
      if (sub.enabled && now.getTime() - failingSince.getTime() >= GIVE_UP_AFTER_MS) {
        const reason = `every delivery failed for 24 hours (since ${failingSince.toISOString()}, last: ${error})`;
        await tx.webhookSubscription.update({ where: { id: sub.id }, data: { enabled: false, disabledAt: now, disabledReason: reason } });
        await tx.activityLog.create({
          data: { actor: 'webhook-dispatcher', action: 'webhook_subscription.disabled', details: { subscriptionId: sub.id, url: sub.url, reason } },
        });
        this.logger.warn(`webhook subscription ${sub.id} disabled: ${reason}`);
      }
    });
    return ok;
  }
}

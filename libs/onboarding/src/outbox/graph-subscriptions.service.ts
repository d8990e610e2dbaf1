import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig, APP_CONFIG } from '@app/config';
import { PrismaService, SecretStore } from '@app/db';
import { graphClientState } from '@app/security';
import { OutsideClients } from '../clients/clients.module';

/**
 * Subscriptions are kept short (3 days, Graph allows 29 for groups) and renewed a day before they expire, so a
 * tenant that stops using a group, or a product that stops running, leaves nothing long-lived behind in Graph.
 */
const LIFETIME_MS = 3 * 24 * 3600_000;
const RENEW_BEFORE_MS = 24 * 3600_000;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface RefJson {
  kind?: unknown;
  ref?: unknown;
}

export interface GraphSubscriptionSync {
  created: number;
  renewed: number;
  deleted: number;
}

/**
 * Graph change-notification subscriptions per tenant (issue 8): one per group the tenant's declared roles use as
 * restore operators or role scopes, so a change to such a group triggers the tenant's drift check through
 * `POST /v1/graph/notifications`. Excluded, inactive and offboarded tenants hold none. Idempotent: a second
 * sync with nothing changed makes no Graph call except renewals that are due.
 *
 * Groups are taken from references given as Entra object ids; references by name or mail are resolved only by
 * the VB365 role reconciler and are not subscribed (yet).
 */
@Injectable()
export class GraphSubscriptions {
  private readonly logger = new Logger(GraphSubscriptions.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly clients: OutsideClients,
    private readonly secrets: SecretStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async desiredGroups(tenantId: string): Promise<string[]> {
    const specs = await this.prisma.roleSpec.findMany({ where: { tenantId }, select: { operators: true, selectedItems: true, excludedItems: true } });
    const groups = new Set<string>();
    for (const s of specs)
      for (const list of [s.operators, s.selectedItems, s.excludedItems])
        for (const r of (Array.isArray(list) ? list : []) as RefJson[])
          if (r.kind === 'group' && typeof r.ref === 'string' && GUID.test(r.ref.trim())) groups.add(r.ref.trim().toLowerCase());
    return [...groups].sort();
  }

  async syncTenant(tenantId: string, now = new Date()): Promise<GraphSubscriptionSync> {
    const result: GraphSubscriptionSync = { created: 0, renewed: 0, deleted: 0 };
    const tenant = await this.prisma.tenant.findUnique({ where: { id: tenantId } });
    const have = await this.prisma.graphSubscription.findMany({ where: { tenantId } });
    const entraTenantId = tenant?.entraTenantId;
    if (!entraTenantId) {
      // Nothing can be called for a tenant without an Entra id (or one that was deleted): forget the rows.
      if (have.length) await this.prisma.graphSubscription.deleteMany({ where: { tenantId } });
      return result;
    }
    const want = tenant.excluded || tenant.status !== 'active' ? [] : await this.desiredGroups(tenantId);
    const entra = this.clients.entraClient();
    for (const s of have.filter((h) => !want.includes(h.groupId))) {
      await entra.deleteSubscription(entraTenantId, s.id);
      await this.prisma.graphSubscription.delete({ where: { id: s.id } });
      result.deleted++;
    }
    const expiresAt = new Date(now.getTime() + LIFETIME_MS);
    for (const groupId of want) {
      const existing = have.find((h) => h.groupId === groupId);
      if (existing && existing.expiresAt.getTime() - now.getTime() > RENEW_BEFORE_MS) continue;
      if (existing && (await entra.renewSubscription(entraTenantId, existing.id, expiresAt))) {
        await this.prisma.graphSubscription.update({ where: { id: existing.id }, data: { expiresAt, renewedAt: now } });
        result.renewed++;
        continue;
      }
      if (existing) await this.prisma.graphSubscription.delete({ where: { id: existing.id } });
      // Graph validates notificationUrl (validationToken handshake) before answering.
      const created = await entra.createSubscription(entraTenantId, {
        resource: `/groups/${groupId}`,
        notificationUrl: `${this.config.api.publicBaseUrl}/v1/graph/notifications`,
        clientState: graphClientState(this.secrets.derivedKey('graph-client-state'), tenantId),
        expiresAt,
      });
      await this.prisma.graphSubscription.create({ data: { id: created.id, tenantId, groupId, expiresAt: new Date(created.expirationDateTime) } });
      result.created++;
    }
    return result;
  }

  /**
   * Hourly: every tenant that is active or still holds subscriptions. A tenant whose sync fails does not stop the
   * others; the tick fails at the end (so the failure is visible in the queue) and the next tick tries again.
   */
  async tick(now = new Date()): Promise<GraphSubscriptionSync & { failed: number }> {
    const total = { created: 0, renewed: 0, deleted: 0, failed: 0 };
    const holders = await this.prisma.graphSubscription.findMany({ distinct: ['tenantId'], select: { tenantId: true } });
    let cursor: string | undefined;
    const seen = new Set<string>();
    const errors: string[] = [];
    const syncOne = async (id: string): Promise<void> => {
      if (seen.has(id)) return;
      seen.add(id);
      try {
        const r = await this.syncTenant(id, now);
        total.created += r.created;
        total.renewed += r.renewed;
        total.deleted += r.deleted;
      } catch (e) {
        total.failed++;
        errors.push(`${id}: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
    for (;;) {
      const page = await this.prisma.tenant.findMany({
        where: { status: 'active', excluded: false, entraTenantId: { not: null }, roleSpecs: { some: {} } },
        select: { id: true },
        orderBy: { id: 'asc' },
        take: 200,
        ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
      });
      for (const t of page) await syncOne(t.id);
      if (page.length < 200) break;
      cursor = page[page.length - 1]!.id;
    }
    for (const h of holders) await syncOne(h.tenantId);
    if (errors.length) {
      this.logger.warn(`graph subscriptions: ${errors.length} tenant(s) failed: ${errors.slice(0, 5).join('; ')}`);
      throw new Error(`graph subscription sync failed for ${errors.length} tenant(s)`);
    }
    return total;
  }
}

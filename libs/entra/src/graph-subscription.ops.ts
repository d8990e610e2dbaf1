import { z } from 'zod/v4';
import { GraphGateway, isStatus } from './graph-gateway';

/** A Graph change-notification subscription (contracts/entra-graph.md §7); extra fields are ignored. */
export const graphSubscriptionSchema = z.object({
  id: z.string(),
  resource: z.string(),
  expirationDateTime: z.string(),
});
export type GraphSubscription = z.infer<typeof graphSubscriptionSchema>;

export interface NewGraphSubscription {
  /** e.g. `/groups/{id}`: Graph notifies on users and groups, not on service principals or grants. */
  resource: string;
  notificationUrl: string;
  clientState: string;
  expiresAt: Date;
}

// Subscriptions on directory objects need the same read permission as reading them.
const SUBSCRIBE = { operation: 'subscribe to change notifications', requiredPermission: 'Directory.Read.All' };

/** Create (Graph performs the validationToken handshake with notificationUrl first), renew, delete. */
export class GraphSubscriptionOps {
  constructor(private readonly graph: GraphGateway) {}

  create(tenantId: string, s: NewGraphSubscription): Promise<GraphSubscription> {
    return this.graph.post(
      tenantId,
      '/subscriptions',
      { changeType: 'updated', resource: s.resource, notificationUrl: s.notificationUrl, clientState: s.clientState, expirationDateTime: s.expiresAt.toISOString() },
      graphSubscriptionSchema,
      SUBSCRIBE,
    );
  }

  /** False when the subscription no longer exists (expired and purged): the caller re-creates it. */
  async renew(tenantId: string, id: string, expiresAt: Date): Promise<boolean> {
    try {
      await this.graph.patch(tenantId, `/subscriptions/${id}`, { expirationDateTime: expiresAt.toISOString() }, SUBSCRIBE);
      return true;
    } catch (e) {
      if (isStatus(e, 404)) return false;
      throw e;
    }
  }

  async delete(tenantId: string, id: string): Promise<void> {
    try {
      await this.graph.delete(tenantId, `/subscriptions/${id}`, SUBSCRIBE);
    } catch (e) {
      if (!isStatus(e, 404)) throw e; // already gone: the goal state holds
    }
  }
}

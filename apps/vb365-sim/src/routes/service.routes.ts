import { FastifyInstance } from 'fastify';
import { SimStore } from '../store/sim-store';

/** Version probe and the Restore Portal settings (read-only in REST v8: vb365.md "Restore Portal settings"). */
export function registerServiceRoutes(app: FastifyInstance, store: SimStore): void {
  app.get('/v8/ServiceInstance', async () => ({ ...store.serviceInstance }));
  app.get('/v8/RestorePortalSettings', async () => ({ ...store.restorePortal }));
}

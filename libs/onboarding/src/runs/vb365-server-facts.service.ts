import { Injectable } from '@nestjs/common';
import { RESTRestorePortalSettings } from '@app/vb365';
import { OutsideClients } from '../clients/clients.module';

const TTL_MS = 5 * 60_000;

/**
 * Server-wide facts (Restore Portal settings) read once per server and cached for a few minutes, instead of once
 * per tenant: with thousands of tenants the VB365 box serves every one of them. Concurrent callers share one read.
 */
@Injectable()
export class Vb365ServerFacts {
  private portal?: { at: number; value: Promise<RESTRestorePortalSettings> };

  constructor(private readonly clients: OutsideClients) {}

  restorePortalSettings(): Promise<RESTRestorePortalSettings> {
    if (!this.portal || Date.now() - this.portal.at > TTL_MS) {
      const value = this.clients.vb365Client().organizations.restorePortalSettings();
      this.portal = { at: Date.now(), value };
      // A failed read must not be cached.
      value.catch(() => {
        if (this.portal?.value === value) this.portal = undefined;
      });
    }
    return this.portal.value;
  }
}

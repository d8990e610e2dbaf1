import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, APP_CONFIG } from '@app/config';
import { OutsideClients } from '../../clients/clients.module';
import { StepContext, StepHandler, StepResult } from '../step.types';
import { entraTenantIdOf, fromEntraChanges, restorePortalAppIdOf } from './entra-changes';

/** Step 2: the Restore Portal app's service principal in the customer tenant (created when missing). */
@Injectable()
export class EnsureServicePrincipalStep implements StepHandler {
  readonly name = 'ensure-service-principal' as const;

  constructor(
    private readonly clients: OutsideClients,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute(ctx: StepContext): Promise<StepResult> {
    const appId = restorePortalAppIdOf(this.config.entra.restorePortalAppId);
    const r = await this.clients.entraClient().ensureServicePrincipal(entraTenantIdOf(ctx.tenant), appId, { plan: ctx.dryRun });
    return { changes: fromEntraChanges(r.changes), output: { restorePortalSpId: r.value?.id ?? null } };
  }
}

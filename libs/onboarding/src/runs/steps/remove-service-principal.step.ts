import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, APP_CONFIG } from '@app/config';
import { OutsideClients } from '../../clients/clients.module';
import { StepContext, StepHandler, StepResult } from '../step.types';
import { entraTenantIdOf, fromEntraChanges, restorePortalAppIdOf } from './entra-changes';

/** Offboarding: remove the Restore Portal app's service principal, unless the run asked to keep it. */
@Injectable()
export class RemoveServicePrincipalStep implements StepHandler {
  readonly name = 'remove-service-principal' as const;

  constructor(
    private readonly clients: OutsideClients,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute(ctx: StepContext): Promise<StepResult> {
    if (ctx.options.keepServicePrincipal) {
      return { changes: [], output: { kept: true } };
    }
    const appId = restorePortalAppIdOf(this.config.entra.restorePortalAppId);
    const r = await this.clients.entraClient().removeServicePrincipal(entraTenantIdOf(ctx.tenant), appId, { plan: ctx.dryRun });
    return { changes: fromEntraChanges(r.changes) };
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, APP_CONFIG } from '@app/config';
import { MICROSOFT_GRAPH_APP_ID } from '@app/entra';
import { OutsideClients } from '../../clients/clients.module';
import { StepContext, StepHandler, StepResult } from '../step.types';
import { entraTenantIdOf, fromEntraChanges, restorePortalAppIdOf } from './entra-changes';

/** Offboarding: revoke the two tenant-wide grants (reads first; nothing to do when they are already gone). */
@Injectable()
export class RevokeConsentGrantsStep implements StepHandler {
  readonly name = 'revoke-consent-grants' as const;

  constructor(
    private readonly clients: OutsideClients,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute(ctx: StepContext): Promise<StepResult> {
    const entra = this.clients.entraClient();
    const tid = entraTenantIdOf(ctx.tenant);
    const sp = await entra.findServicePrincipal(tid, restorePortalAppIdOf(this.config.entra.restorePortalAppId));
    if (!sp) return { changes: [] };
    const graphSp = await entra.findServicePrincipal(tid, MICROSOFT_GRAPH_APP_ID);
    const changes = [];
    if (graphSp) changes.push(...(await entra.revokeDelegatedGrant(tid, sp.id, graphSp.id, undefined, { plan: ctx.dryRun })).changes);
    changes.push(...(await entra.revokeDelegatedGrant(tid, sp.id, sp.id, undefined, { plan: ctx.dryRun })).changes);
    return { changes: fromEntraChanges(changes) };
  }
}

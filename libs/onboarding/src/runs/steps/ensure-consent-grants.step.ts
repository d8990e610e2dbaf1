import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, APP_CONFIG } from '@app/config';
import { EnsureResult, MICROSOFT_GRAPH_APP_ID, PermissionGrant } from '@app/entra';
import { OutsideClients } from '../../clients/clients.module';
import { StepFailure } from '../step-error';
import { StepContext, StepHandler, StepResult } from '../step.types';
import { entraTenantIdOf, fromEntraChanges, restorePortalAppIdOf } from './entra-changes';

/**
 * Step 3: the two tenant-wide grants Connect-VB365RestorePortal.ps1 creates (restore-portal.md): Graph User.Read
 * and the Restore Portal app's own access_as_user — but repairing every partial state (missing, narrower scope,
 * duplicates) through the client's idempotent primitives.
 */
@Injectable()
export class EnsureConsentGrantsStep implements StepHandler {
  readonly name = 'ensure-consent-grants' as const;

  constructor(
    private readonly clients: OutsideClients,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute(ctx: StepContext): Promise<StepResult> {
    const entra = this.clients.entraClient();
    const tid = entraTenantIdOf(ctx.tenant);
    const appId = restorePortalAppIdOf(this.config.entra.restorePortalAppId);
    const spId = ctx.outputs['ensure-service-principal']?.['restorePortalSpId'];
    if (typeof spId !== 'string') {
      // Dry run on a tenant without the service principal: the grants cannot exist yet; report what would follow.
      if (ctx.dryRun) {
        return {
          changes: [
            { action: 'createGrant', target: `${appId} → Microsoft Graph`, detail: { scope: 'User.Read', applied: false } },
            { action: 'createGrant', target: `${appId} → ${appId}`, detail: { scope: 'access_as_user', applied: false } },
          ],
        };
      }
      throw new StepFailure('SERVICE_PRINCIPAL_UNKNOWN', 'The Restore Portal service principal id is unknown.', 'Retry the run; step 2 records it.');
    }
    const graphSp = await entra.findServicePrincipal(tid, MICROSOFT_GRAPH_APP_ID);
    if (!graphSp) {
      throw new StepFailure('GRAPH_SP_MISSING', 'The Microsoft Graph service principal is missing in the tenant.', 'This tenant looks broken; contact Microsoft support.');
    }
    const [graph, self] = (await entra.ensureDelegatedGrants(
      tid,
      spId,
      [
        { resourceSpId: graphSp.id, scopes: ['User.Read'] },
        { resourceSpId: spId, scopes: ['access_as_user'] },
      ],
      { plan: ctx.dryRun },
    )) as [EnsureResult<PermissionGrant>, EnsureResult<PermissionGrant>];
    return {
      changes: fromEntraChanges([...graph.changes, ...self.changes]),
      output: { graphSpId: graphSp.id, graphGrantId: graph.value?.id ?? null, selfGrantId: self.value?.id ?? null },
    };
  }
}

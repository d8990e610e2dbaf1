import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, APP_CONFIG } from '@app/config';
import { OutsideClients } from '../../clients/clients.module';
import { StepFailure } from '../step-error';
import { StepContext, StepHandler, StepResult } from '../step.types';
import { Vb365ServerFacts } from '../vb365-server-facts.service';
import { entraTenantIdOf, restorePortalAppIdOf } from './entra-changes';

/**
 * Step 4: the VB365 side is checked, never changed (restore-portal.md "Preconditions"): Restore Portal enabled with
 * the same application id, and the customer organization added with modern app-only authentication.
 */
@Injectable()
export class VerifyVb365Step implements StepHandler {
  readonly name = 'verify-vb365' as const;

  constructor(
    private readonly clients: OutsideClients,
    private readonly facts: Vb365ServerFacts,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute(ctx: StepContext): Promise<StepResult> {
    const appId = restorePortalAppIdOf(this.config.entra.restorePortalAppId);
    const portal = await this.facts.restorePortalSettings();
    if (!portal.isEnabled || (portal.applicationId ?? '').toLowerCase() !== appId.toLowerCase()) {
      throw new StepFailure(
        'RESTORE_PORTAL_MISCONFIGURED',
        portal.isEnabled
          ? `VB365's Restore Portal uses application ${portal.applicationId ?? '(none)'}, not ${appId}.`
          : "VB365's Restore Portal is disabled.",
        `On the VB365 server run Set-VBORestorePortalSettings -EnableService -ApplicationId ${appId} (REST v8 cannot change it), then retry.`,
        { isEnabled: portal.isEnabled, applicationId: portal.applicationId },
      );
    }
    const tid = entraTenantIdOf(ctx.tenant);
    const org = await this.clients.vb365Client().organizations.byMsid(tid);
    if (!org) {
      throw new StepFailure(
        'ORGANIZATION_NOT_FOUND',
        `No VB365 organization has msid ${tid}.`,
        'Add the organization to VB365 with modern app-only authentication (Restore Portal only works for those), then retry.',
      );
    }
    if (org.type && !['Office365', 'Hybrid'].includes(org.type)) {
      throw new StepFailure('ORGANIZATION_UNSUPPORTED', `VB365 organization ${org.name ?? org.id} is ${org.type}.`, 'Restore operator roles exist only for Office365 and Hybrid organizations.');
    }
    if (org.exchangeOnlineSettings?.useApplicationOnlyAuth === false) {
      throw new StepFailure('ORGANIZATION_NOT_MODERN_AUTH', `VB365 organization ${org.name ?? org.id} does not use modern app-only authentication.`, 'Re-add the organization with modern app-only authentication; the Restore Portal requires it.');
    }
    const learned = !ctx.dryRun && ctx.tenant.vb365OrganizationId !== org.id;
    // Written by the engine with this step's success (StepResult.tenant).
    return { changes: [], output: { vb365OrganizationId: org.id, organizationName: org.name }, ...(learned ? { tenant: { vb365OrganizationId: org.id } } : {}) };
  }
}

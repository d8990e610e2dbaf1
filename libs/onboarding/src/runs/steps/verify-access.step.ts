import { Injectable } from '@nestjs/common';
import { OutsideClients } from '../../clients/clients.module';
import { StepContext, StepHandler, StepResult } from '../step.types';
import { entraTenantIdOf } from './entra-changes';

/** Step 1: an app-only token for the tenant and GET /organization. CONSENT_MISSING parks the run (engine). */
@Injectable()
export class VerifyAccessStep implements StepHandler {
  readonly name = 'verify-access' as const;

  constructor(private readonly clients: OutsideClients) {}

  async execute(ctx: StepContext): Promise<StepResult> {
    const entra = this.clients.entraClient();
    const tid = entraTenantIdOf(ctx.tenant);
    await entra.verifyAccess(tid);
    const org = await entra.readOrganization(tid);
    const primary = org.verifiedDomains.find((d) => d.isDefault)?.name ?? org.verifiedDomains[0]?.name ?? null;
    const learned = !ctx.dryRun && primary && !ctx.tenant.primaryDomain;
    // Written by the engine with this step's success (StepResult.tenant).
    return { changes: [], output: { organizationName: org.displayName ?? null, primaryDomain: primary }, ...(learned ? { tenant: { primaryDomain: primary } } : {}) };
  }
}

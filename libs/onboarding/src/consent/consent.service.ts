import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig, APP_CONFIG } from '@app/config';
import { Prisma, PrismaService, Tenant } from '@app/db';
import { ApiError } from '@app/platform';
import { ActiveSecrets } from '../clients/active-secrets.service';
import { RunConflictError, RunLauncher } from '../runs/run-launcher.service';
import { newConsentNonce, signConsentState, verifyConsentStateWithKeys } from './consent-state';
import {
  ConsentCallbackParams,
  ConsentCallbackResult,
  ConsentCaller,
  ConsentLink,
  ConsentOutcome,
} from './consent.types';

/** Actor of callback rows: the customer admin, whom the redirect does not identify (ip and user agent are kept). */
export const CONSENT_CALLBACK_ACTOR = 'admin-consent-callback';
const NO_LINK_STATUSES = ['offboarding', 'offboarded'] as const;
const clip = (s: string | undefined, n: number): string | undefined =>
  s === undefined ? undefined : s.slice(0, n);

type Rejection = Exclude<ConsentOutcome, 'granted'>;
const PAGES: Record<Rejection, { httpStatus: number; title: string; message: string }> = {
  denied: {
    httpStatus: 403,
    title: 'Consent was not granted',
    message:
      'The permissions were declined. Nothing was changed. Ask your provider for a new link if this was a mistake.',
  },
  expired: {
    httpStatus: 410,
    title: 'This consent link has expired',
    message: 'Ask your provider for a new consent link.',
  },
  forged: {
    httpStatus: 400,
    title: 'This consent link is not valid',
    message: 'The link was not issued by your provider or has been altered. Ask your provider for a new one.',
  },
  replayed: {
    httpStatus: 409,
    title: 'This consent link was already used',
    message: 'Each consent link works once. If consent is still needed, ask your provider for a new link.',
  },
  tenant_mismatch: {
    httpStatus: 400,
    title: 'Consent was given for a different organization',
    message:
      'The link was issued for another Microsoft 365 organization. Nothing was started; ask your provider for a link for your organization.',
  },
  invalid: {
    httpStatus: 400,
    title: 'This consent response is incomplete',
    message: 'Open the consent link from your provider again.',
  },
  unavailable: {
    httpStatus: 503,
    title: 'Consent cannot be processed right now',
    message: 'Your provider has not finished configuring this service. Please try again later.',
  },
};

/**
 * Admin-consent bootstrap (contract entra-graph.md §3): issues links with a signed, expiring, single-use `state`
 * and processes the redirect back. Single use is one conditional UPDATE (`used_at IS NULL`) in Postgres, so two
 * concurrent callbacks with the same state — a double click, a replay — consume it exactly once across processes.
 */
@Injectable()
export class ConsentService {
  private readonly logger = new Logger(ConsentService.name);
  private generatedSecret?: string;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly prisma: PrismaService,
    private readonly launcher: RunLauncher,
    private readonly activeSecrets: ActiveSecrets,
  ) {}

  /** The caller has already checked the tenant is visible to its key. */
  async createLink(tenant: Tenant, who: { actor: string; correlationId: string }): Promise<ConsentLink> {
    const secret = this.secrets()?.[0];
    if (!secret)
      throw new ApiError('UNAVAILABLE', 'Consent links are not configured.', {
        hint: 'Store a key: openssl rand -base64 32 | npm run secrets:set -- consent.state-key --stdin.',
      });
    const appId = this.config.entra.orchestratorAppId;
    if (!appId)
      throw new ApiError('UNAVAILABLE', 'The orchestrator app is not configured.', {
        hint: 'Set ORCHESTRATOR_APP_ID.',
      });
    if ((NO_LINK_STATUSES as readonly string[]).includes(tenant.status)) {
      throw new ApiError('CONFLICT', `The tenant is ${tenant.status}.`, {
        hint: 'Register it again (or onboard it) before asking for consent.',
      });
    }
    const authoritySegment = tenant.entraTenantId ?? tenant.primaryDomain;
    if (!authoritySegment)
      throw new ApiError('CONFLICT', 'The tenant has neither an Entra tenant id nor a domain.');

    const nonce = newConsentNonce();
    // Whole seconds: the signed state carries seconds, so the row and the state name the same instant.
    const expiresAt = new Date(
      Math.floor(Date.now() / 1000) * 1000 + this.config.consent.linkTtlMinutes * 60_000,
    );
    await this.prisma.$transaction([
      this.prisma.consentState.create({ data: { nonce, tenantId: tenant.id, expiresAt } }),
      this.prisma.activityLog.create({
        data: {
          actor: who.actor,
          action: 'consent.link_issued',
          tenantId: tenant.id,
          correlationId: who.correlationId,
          details: { nonce, expiresAt: expiresAt.toISOString() },
        },
      }),
    ]);
    const url = new URL(
      `${this.config.entra.authorityHost.replace(/\/$/, '')}/${encodeURIComponent(authoritySegment)}/adminconsent`,
    );
    url.searchParams.set('client_id', appId);
    url.searchParams.set('redirect_uri', this.callbackUrl());
    url.searchParams.set('state', signConsentState(secret, { nonce, expiresAt }));
    return { url: url.toString(), expiresAt };
  }

  /** Must equal a redirect URI registered on the orchestrator app (Entra refuses others with AADSTS50011). */
  callbackUrl(): string {
    return `${this.config.api.publicBaseUrl}/v1/consent/callback`;
  }

  async handleCallback(params: ConsentCallbackParams, caller: ConsentCaller): Promise<ConsentCallbackResult> {
    const audit = { ip: caller.ip, userAgent: clip(caller.userAgent, 300) ?? null };
    const secrets = this.secrets();
    if (!secrets?.length)
      return this.reject('unavailable', caller, null, {
        ...audit,
        reason: 'no consent.state-key is stored',
      });
    if (!params.state) return this.reject('invalid', caller, null, { ...audit, reason: 'no state' });

    const check = verifyConsentStateWithKeys(secrets, params.state);
    // Not looked up at all: an unsigned nonce must not be able to consume (or probe) a real link.
    if (!check.ok) return this.reject('forged', caller, null, { ...audit, reason: check.reason });
    const { nonce } = check.payload;
    const row = await this.prisma.consentState.findUnique({ where: { nonce }, include: { tenant: true } });
    // Signed by us but gone: the tenant was deleted (cascade) since the link was issued.
    if (!row)
      return this.reject('invalid', caller, null, {
        ...audit,
        nonce,
        reason: 'no such consent state (tenant removed?)',
      });
    const base = { ...audit, nonce, entraTenantParam: clip(params.tenant, 100) ?? null };
    if (row.usedAt)
      return this.reject('replayed', caller, row.tenant, {
        ...base,
        firstUsedAt: row.usedAt.toISOString(),
        firstOutcome: row.outcome,
      });

    let outcome: ConsentOutcome;
    let detail: string | undefined;
    if (row.expiresAt.getTime() <= Date.now()) outcome = 'expired';
    else if (params.error) {
      outcome = 'denied';
      detail = clip(`${params.error}: ${params.error_description ?? ''}`, 500);
    } else if (params.admin_consent?.toLowerCase() !== 'true') {
      return this.reject('invalid', caller, row.tenant, {
        ...base,
        reason: 'neither admin_consent=True nor error',
      });
    } else if (
      !row.tenant.entraTenantId ||
      params.tenant?.toLowerCase() !== row.tenant.entraTenantId.toLowerCase()
    ) {
      outcome = 'tenant_mismatch';
      detail = `consent given in ${clip(params.tenant, 100) ?? '(no tenant)'}, link issued for ${row.tenant.entraTenantId ?? '(no tenant id)'}`;
    } else outcome = 'granted';

    const consumed = await this.prisma.$transaction(async (tx) => {
      const now = new Date();
      const claim = await tx.consentState.updateMany({
        where: { nonce, usedAt: null },
        data: { usedAt: now, outcome, detail },
      });
      if (claim.count === 0) return false;
      if (outcome === 'granted') {
        const reopen = ['awaiting_consent', 'consent_revoked'].includes(row.tenant.status);
        await tx.tenant.update({
          where: { id: row.tenantId },
          data: {
            consentedAt: now,
            ...(reopen ? { status: 'onboarding' as const, statusReason: null } : {}),
          },
        });
      } else if (outcome === 'denied' && row.tenant.status === 'awaiting_consent') {
        await tx.tenant.update({
          where: { id: row.tenantId },
          data: { statusReason: `Admin consent was refused (${detail ?? 'access_denied'}).` },
        });
      }
      await this.log(
        tx,
        caller,
        outcome === 'granted'
          ? 'consent.granted'
          : outcome === 'denied'
            ? 'consent.denied'
            : 'consent.rejected',
        row.tenantId,
        {
          ...base,
          outcome,
          detail: detail ?? null,
        },
      );
      return true;
    });
    // Lost the race to a concurrent callback with the same state.
    if (!consumed)
      return this.reject('replayed', caller, row.tenant, { ...base, reason: 'consumed concurrently' });
    if (outcome !== 'granted')
      return { outcome, ...PAGES[outcome], tenantDisplayName: row.tenant.displayName };
    return this.startOnboarding(row.tenant, caller);
  }

  private async startOnboarding(tenant: Tenant, caller: ConsentCaller): Promise<ConsentCallbackResult> {
    const granted = {
      outcome: 'granted' as const,
      httpStatus: 200,
      title: 'Consent recorded',
      tenantDisplayName: tenant.displayName,
    };
    try {
      const run = await this.launcher.resumeAfterConsent(
        tenant.id,
        CONSENT_CALLBACK_ACTOR,
        caller.correlationId,
      );
      return {
        ...granted,
        runId: run.id,
        message:
          'Thank you. Your provider is now setting up the Restore Portal for your organization. You can close this page.',
      };
    } catch (e) {
      // Consent itself is recorded either way; the MSP sees the tenant without a run and can start one.
      if (e instanceof RunConflictError) {
        return {
          ...granted,
          runId: e.activeRunId,
          message: 'Thank you. Setup is already in progress for your organization. You can close this page.',
        };
      }
      this.logger.error(
        { err: e, tenantId: tenant.id, correlationId: caller.correlationId },
        'consent granted but the onboarding run could not be started',
      );
      await this.log(this.prisma, caller, 'consent.run_start_failed', tenant.id, {
        error: e instanceof Error ? e.message.slice(0, 300) : 'unknown',
      });
      return {
        ...granted,
        message:
          'Thank you. Your consent was recorded; your provider will complete the setup. You can close this page.',
      };
    }
  }

  private async reject(
    outcome: Rejection,
    caller: ConsentCaller,
    tenant: Tenant | null,
    details: Prisma.InputJsonObject,
  ): Promise<ConsentCallbackResult> {
    await this.log(this.prisma, caller, 'consent.rejected', tenant?.id ?? null, { ...details, outcome });
    return { outcome, ...PAGES[outcome], tenantDisplayName: tenant?.displayName };
  }

  private async log(
    db: Prisma.TransactionClient,
    caller: ConsentCaller,
    action: string,
    tenantId: string | null,
    details: Prisma.InputJsonObject,
  ): Promise<void> {
    await db.activityLog.create({
      data: { actor: CONSENT_CALLBACK_ACTOR, action, tenantId, correlationId: caller.correlationId, details },
    });
  }

  /**
   * The stored `consent.state-key` (current first, then a previous one during a rotation; ActiveSecrets, which also
   * imports CONSENT_STATE_SECRET). Outside production a missing key is made up per process (links then die with the
   * process); in production the consent routes answer 503 instead, so a forgotten key is loud.
   */
  private secrets(): readonly string[] | undefined {
    const stored = this.activeSecrets.consentStateKeys();
    if (stored?.length) return stored;
    if (this.config.env === 'production') return undefined;
    if (!this.generatedSecret) {
      this.generatedSecret = randomBytes(32).toString('base64');
      this.logger.warn(
        'No consent.state-key is stored: consent links are signed with a per-process key and stop working at restart.',
      );
    }
    return [this.generatedSecret];
  }
}

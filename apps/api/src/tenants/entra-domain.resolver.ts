import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { AppConfig, APP_CONFIG } from '@app/config';

const METADATA_TIMEOUT_MS = 10_000;
const openIdConfiguration = z.object({ issuer: z.string().url() });
/** Entra's issuer is `https://<authority>/<tenant GUID>/v2.0` whichever segment (GUID or domain) was asked. */
const ISSUER_TENANT = /\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/v2\.0\/?$/i;

export type DomainResolution = { ok: true; entraTenantId: string } | { ok: false; message: string };

/**
 * Resolves a verified domain to its Entra tenant id through the authority's public OpenID metadata (no token
 * needed, so it works before consent). Same request against real Entra and entra-sim; only the host differs.
 */
@Injectable()
export class EntraDomainResolver {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async resolve(domain: string): Promise<DomainResolution> {
    const host = this.config.entra.authorityHost.replace(/\/$/, '');
    const url = `${host}/${encodeURIComponent(domain)}/v2.0/.well-known/openid-configuration`;
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(METADATA_TIMEOUT_MS), redirect: 'error' });
    } catch {
      return {
        ok: false,
        message: `could not be resolved: ${host} is unreachable; retry, or give entraTenantId instead`,
      };
    }
    // Entra answers 400 invalid_tenant (AADSTS90002) for a domain no tenant has verified.
    if (res.status === 400 || res.status === 404) {
      return { ok: false, message: 'is not a verified domain of any Entra tenant' };
    }
    if (!res.ok) {
      return {
        ok: false,
        message: `could not be resolved: ${host} answered ${res.status}; retry, or give entraTenantId instead`,
      };
    }
    const parsed = openIdConfiguration.safeParse(await res.json().catch(() => undefined));
    const m = parsed.success ? ISSUER_TENANT.exec(parsed.data.issuer) : null;
    if (!m) return { ok: false, message: `could not be resolved: ${host} answered without a tenant issuer` };
    return { ok: true, entraTenantId: m[1]!.toLowerCase() };
  }
}

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@app/common';

/** Deterministic GUID from a label (same scenario seed → same ids, run after run). */
export function guidFrom(label: string): string {
  const h = createHash('sha256').update(label).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export type ScenarioConsent = 'consents' | 'refuses' | 'preconsented';

export interface ScenarioTenant {
  index: number;
  entraTenantId: string;
  domain: string;
  displayName: string;
  consent: ScenarioConsent;
  /** False: the VB365 organization is missing (onboarding fails at verify-vb365 with a hint). */
  vb365Organization: boolean;
  vb365OrganizationId: string;
}

export interface ScenarioOptions {
  tenants: number;
  seed?: string;
  /** Indexes of tenants that refuse admin consent. */
  refuse?: number[];
  /** Indexes consented out of band (GDAP / Partner Center): registered as `preconsented`. */
  preconsented?: number[];
  /** Indexes whose VB365 organization is missing. */
  organizationMissing?: number[];
  /** Callback registered on the orchestrator app (admin-consent redirect_uri). */
  redirectUri: string;
  /** VB365 Restore Portal settings: defaults to enabled with the Restore Portal app id. */
  restorePortal?: { isEnabled: boolean; applicationId?: string };
}

export interface Scenario {
  orchestratorAppId: string;
  restorePortalAppId: string;
  /** PEM (key + certificate) the product authenticates with. */
  orchestratorCertPath: string;
  tenants: ScenarioTenant[];
  entraSeed: Record<string, unknown>;
  vb365Seed: Record<string, unknown>;
}

export const ORCHESTRATOR_APP_ROLES = [
  'Application.ReadWrite.All',
  'DelegatedPermissionGrant.ReadWrite.All',
  'AuditLog.Read.All',
  'Directory.Read.All',
];

/** The people and groups each customer has, in Entra and (as VB365 sees them) in its VB365 organization. */
function directory(t: { domain: string; index: number; seed: string }) {
  const users = ['Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Edsger Dijkstra', 'Barbara Liskov'].map((name) => {
    const alias = name.split(' ')[0]!.toLowerCase();
    return { displayName: name, upn: `${alias}@${t.domain}`, msid: guidFrom(`${t.seed}:user:${t.index}:${alias}`) };
  });
  const groups = ['Helpdesk', 'Executives', 'Finance'].map((name) => ({
    displayName: name,
    mail: `${name.toLowerCase()}@${t.domain}`,
    msid: guidFrom(`${t.seed}:group:${t.index}:${name}`),
  }));
  return { users, groups };
}

/**
 * A consistent world for both simulators: the MSP's two apps, N customer tenants in entra-sim, and their VB365
 * organizations (linked by msid = tenant id) with users, groups, sites and teams that declared roles refer to.
 */
export function buildScenario(o: ScenarioOptions): Scenario {
  const seed = o.seed ?? 'scenario';
  const orchestratorAppId = guidFrom(`${seed}:orchestrator-app`);
  const restorePortalAppId = guidFrom(`${seed}:restore-portal-app`);
  const certs = join(repoRoot(), '.local', 'certs');
  const certificatePem = readFileSync(join(certs, 'orchestrator-client-cert.pem'), 'utf8');
  const set = (xs?: number[]) => new Set(xs ?? []);
  const refuse = set(o.refuse);
  const pre = set(o.preconsented);
  const missing = set(o.organizationMissing);
  const tenants: ScenarioTenant[] = Array.from({ length: o.tenants }, (_, i) => {
    const name = `Customer ${String(i + 1).padStart(3, '0')}`;
    return {
      index: i,
      entraTenantId: guidFrom(`${seed}:tenant:${i}`),
      domain: `customer${String(i + 1).padStart(3, '0')}.onmicrosoft.com`,
      displayName: name,
      consent: refuse.has(i) ? 'refuses' : pre.has(i) ? 'preconsented' : 'consents',
      vb365Organization: !missing.has(i),
      vb365OrganizationId: guidFrom(`${seed}:vb365-org:${i}`),
    };
  });
  const entraSeed = {
    apps: [
      {
        appId: orchestratorAppId,
        displayName: 'MSP Restore Portal Orchestrator',
        certificatePem,
        redirectUris: [o.redirectUri],
        requiredAppRoles: ORCHESTRATOR_APP_ROLES,
      },
      {
        appId: restorePortalAppId,
        displayName: 'MSP VB365 Restore Portal',
        exposedScopes: [{ value: 'access_as_user' }],
        requiredDelegatedScopes: ['User.Read'],
      },
    ],
    tenants: tenants.map((t) => {
      const d = directory({ domain: t.domain, index: t.index, seed });
      return {
        id: t.entraTenantId,
        domain: t.domain,
        displayName: t.displayName,
        sizeClass: 'small',
        consent: t.consent === 'refuses' ? 'refuses' : 'consents',
        consentedApps: t.consent === 'preconsented' ? [orchestratorAppId] : [],
        users: d.users.map((u) => ({ id: u.msid, displayName: u.displayName, userPrincipalName: u.upn })),
        groups: d.groups.map((g) => ({ id: g.msid, displayName: g.displayName })),
      };
    }),
  };
  const vb365Seed = {
    restorePortal: {
      isEnabled: o.restorePortal?.isEnabled ?? true,
      applicationId: o.restorePortal?.applicationId ?? restorePortalAppId,
      restorePortalUri: 'https://restore.msp.example/',
      msalAuthorityUri: 'https://login.microsoftonline.com/organizations',
    },
    organizations: tenants
      .filter((t) => t.vb365Organization)
      .map((t) => {
        const d = directory({ domain: t.domain, index: t.index, seed });
        return {
          id: t.vb365OrganizationId,
          msid: t.entraTenantId,
          name: t.domain,
          officeName: t.domain,
          type: 'Office365',
          useApplicationOnlyAuth: true,
          users: d.users.map((u) => ({ displayName: u.displayName, name: u.upn, type: 'User', msid: u.msid })),
          groups: d.groups.map((g) => ({ displayName: g.displayName, name: g.mail, type: 'Office365', msid: g.msid })),
          sites: [{ url: `https://${t.domain.split('.')[0]}.sharepoint.com/sites/finance`, title: 'Finance', isCloud: true, isPersonal: false }],
          teams: [{ displayName: 'Project Apollo', mail: `apollo@${t.domain}`, description: 'Team' }],
        };
      }),
  };
  return { orchestratorAppId, restorePortalAppId, orchestratorCertPath: join(certs, 'orchestrator-client.pem'), tenants, entraSeed, vb365Seed };
}

/** The roles the demo and the tests declare: helpdesk for the whole organization except the executives. */
export function helpdeskRole(): Record<string, unknown> {
  return {
    name: 'Helpdesk',
    description: 'Helpdesk restores for everyone except the executives',
    scope: 'entire-organization',
    operators: [{ group: 'Helpdesk' }],
    selectedItems: [],
    excludedItems: [{ group: 'Executives' }],
  };
}

import { X509Certificate, createHash, randomUUID } from 'node:crypto';
import { DirectoryStore } from './directory.store';
import { RegisteredCertificate, SimApp, Tenant } from './directory.types';
import { GRAPH_APP_ID, GRAPH_APP_ROLES } from './graph-permissions.constants';
import { AppSeed, Seed, TenantSeed } from './seed.schema';
import { generatedTenant, guidFrom, prng } from './seed-generator';

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export function registerCertificate(pem: string): RegisteredCertificate {
  const cert = new X509Certificate(pem);
  return {
    x5t: createHash('sha1').update(cert.raw).digest('base64url'),
    x5tS256: createHash('sha256').update(cert.raw).digest('base64url'),
    publicKey: cert.publicKey,
  };
}

function toApp(s: AppSeed): SimApp {
  return {
    appId: s.appId,
    displayName: s.displayName,
    secrets: asList(s.secret),
    certificates: asList(s.certificatePem).map(registerCertificate),
    redirectUris: s.redirectUris,
    requiredAppRoles: s.requiredAppRoles,
    requiredDelegatedScopes: s.requiredDelegatedScopes,
    exposedScopes: s.exposedScopes.map((x) => ({
      id: x.id ?? randomUUID(),
      value: x.value,
      type: 'User',
      adminConsentDisplayName: x.value,
      adminConsentDescription: x.value,
      isEnabled: true,
    })),
    appRoles: [],
  };
}

/** Creates the app's SP and assigns its required Graph application permissions, as admin consent does. */
export function consentApp(store: DirectoryStore, t: Tenant, app: SimApp, actor: Parameters<DirectoryStore['createSp']>[2]): void {
  const sp = store.spByAppId(t, app.appId, false) ?? store.createSp(t, app, actor);
  const graphSp = t.servicePrincipals.get(t.graphSpId)!;
  for (const value of app.requiredAppRoles) {
    const role = GRAPH_APP_ROLES.find((r) => r.value === value);
    if (!role) continue;
    const has = [...t.assignments.values()].some((a) => a.principalId === sp.id && a.appRoleId === role.id);
    if (!has) store.createAssignment(t, sp, graphSp, role.id, actor);
  }
  if (actor) store.audit(t, actor, 'Consent to application', 'Assign', sp.id, sp.displayName, 'ServicePrincipal');
}

function resolveApp(store: DirectoryStore, appId: string): SimApp {
  const app = store.findApp(appId);
  if (app) return app;
  // Unknown apps in a seed get a bare registration so partial states can be described without full app data.
  const bare: SimApp = { appId, displayName: `App ${appId}`, secrets: [], certificates: [], redirectUris: [], requiredAppRoles: [], requiredDelegatedScopes: [], exposedScopes: [], appRoles: [] };
  store.addApp(bare);
  return bare;
}

function applyTenant(store: DirectoryStore, s: TenantSeed): void {
  const t = store.addTenant({
    id: s.id,
    domain: s.domain,
    displayName: s.displayName ?? s.domain,
    sizeClass: s.sizeClass,
    refusesConsent: s.consent === 'refuses',
    missingSpError: s.missingSpError,
    graphSpId: s.graphSpId,
  });
  for (const u of s.users) t.users.push({ id: u.id ?? randomUUID(), displayName: u.displayName, userPrincipalName: u.userPrincipalName, mail: u.mail ?? u.userPrincipalName, accountEnabled: u.accountEnabled });
  for (const g of s.groups) t.groups.push({ id: g.id ?? randomUUID(), displayName: g.displayName, description: g.description, mailEnabled: g.mailEnabled, securityEnabled: g.securityEnabled });
  for (const appId of s.consentedApps) consentApp(store, t, resolveApp(store, appId), null);
  for (const sp of s.servicePrincipals) {
    if (!store.spByAppId(t, sp.appId, false)) store.createSp(t, resolveApp(store, sp.appId), null, sp.id);
  }
  for (const g of s.grants) {
    const client = store.spByAppId(t, g.clientAppId, false) ?? store.createSp(t, resolveApp(store, g.clientAppId), null);
    const resource = g.resourceAppId.toLowerCase() === GRAPH_APP_ID ? t.servicePrincipals.get(t.graphSpId)! : store.spByAppId(t, g.resourceAppId, false) ?? store.createSp(t, resolveApp(store, g.resourceAppId), null);
    const grant = store.createGrant(t, { clientId: client.id, resourceId: resource.id, consentType: g.consentType, principalId: g.principalId, scope: g.scope }, null);
    grant.createdAt = 0;
  }
  // Seeded objects exist "since forever": replication lag applies to runtime writes only.
  for (const sp of t.servicePrincipals.values()) sp.createdAt = 0;
  for (const a of t.assignments.values()) a.createdAt = 0;
}

/** Applies a seed on top of the current state (seeding is additive; POST /_sim/reset clears). */
export function applySeed(store: DirectoryStore, seed: Seed): { tenants: number; apps: number } {
  for (const a of seed.apps) store.addApp(toApp(a));
  for (const t of seed.tenants) applyTenant(store, t);
  let generated = 0;
  if (seed.generate) {
    const g = seed.generate;
    for (let i = 0; i < g.tenants; i++) {
      const spec = generatedTenant(g.seed, i, g.usersPerTenant);
      const rand = prng(spec.userSeed + 1);
      const t = store.addTenant({ id: spec.id, domain: spec.domain, displayName: spec.displayName, sizeClass: spec.sizeClass, refusesConsent: g.refuseEvery > 0 && i % g.refuseEvery === g.refuseEvery - 1, missingSpError: 700016, graphSpId: guidFrom(rand) });
      if (g.usersPerTenant > 0) t.generatedUsers = { count: g.usersPerTenant, seed: spec.userSeed };
      for (let k = 0; k < g.groupsPerTenant; k++) t.groups.push({ id: guidFrom(rand), displayName: `Group ${k}`, description: null, mailEnabled: false, securityEnabled: true });
      for (const appId of g.consentedApps) consentApp(store, t, resolveApp(store, appId), null);
      for (const sp of t.servicePrincipals.values()) sp.createdAt = 0;
      generated++;
    }
  }
  return { tenants: seed.tenants.length + generated, apps: seed.apps.length };
}

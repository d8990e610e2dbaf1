import { createHash, createPrivateKey, randomUUID, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { RunningSimulator, startSimulator } from '@app/testing';
import { ClientCertificateCredential } from '@azure/identity';
import { EntraClient } from './entra-client';
import { diagnoseAuthority, AuthorityFailures } from './authority-diagnosis';
import { MSAL_THROTTLE_MS, toEntraError } from './entra-error.mapper';
import { EntraClientOptions } from './entra-client.options';
import { EntraError } from './entra.errors';
import { AppsFixture, ORCHESTRATOR_PEM, SimStats, TenantOverrides, appsFixture, tenantSeed } from '../test/entra-sim.fixtures';

let sim: RunningSimulator;
let apps: AppsFixture;

const clientFor = (o: Partial<EntraClientOptions> = {}): EntraClient =>
  new EntraClient({ authorityHost: sim.urls['identity']!, graphBaseUrl: sim.urls['graph']!, clientId: apps.orchestrator, certificatePath: ORCHESTRATOR_PEM, lruSize: 10, ...o });

async function newTenant(o: TenantOverrides = {}) {
  const t = tenantSeed(apps, o);
  await sim.admin('/_sim/seed', t.seed);
  return t;
}

async function failure(p: Promise<unknown>): Promise<EntraError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof EntraError) return e;
    throw e;
  }
  throw new Error('expected a failure');
}

beforeAll(async () => {
  sim = await startSimulator('entra-sim');
  const f = appsFixture();
  apps = f.apps;
  await sim.admin('/_sim/seed', f.seed);
});
afterAll(async () => sim?.stop());
afterEach(async () => sim.admin('/_sim/faults', {}, 'PUT'));

describe('token endpoint errors map to coded errors', () => {
  it('unknown tenant → TENANT_NOT_FOUND', async () => {
    const e = await failure(clientFor().readOrganization(randomUUID()));
    expect(e.code).toBe('TENANT_NOT_FOUND');
  });

  it('app never consented → CONSENT_MISSING (700016 and 7000229)', async () => {
    const a = await newTenant({ consentedApps: [] });
    expect(await failure(clientFor().readOrganization(a.id))).toMatchObject({ code: 'CONSENT_MISSING', info: expect.objectContaining({ aadsts: [700016] }) });
    const b = await newTenant({ consentedApps: [], missingSpError: 7000229 });
    expect(await failure(clientFor().verifyAccess(b.id))).toMatchObject({ code: 'CONSENT_MISSING', info: expect.objectContaining({ aadsts: [7000229] }) });
  });

  it('wrong secret and unregistered certificate → CREDENTIAL_INVALID', async () => {
    const t = await newTenant();
    const wrong = await failure(clientFor({ certificatePath: undefined, clientSecret: 'nope' }).readOrganization(t.id));
    expect(wrong).toMatchObject({ code: 'CREDENTIAL_INVALID', info: expect.objectContaining({ aadsts: [7000215] }) });
    const cert = await failure(clientFor({ clientId: apps.secretOnly }).readOrganization(t.id));
    expect(cert).toMatchObject({ code: 'CREDENTIAL_INVALID', info: expect.objectContaining({ aadsts: [700027] }) });
    expect(cert.hint).toMatch(/certificate or secret/);
  });

  it('a scope that is not <resource>/.default → PERMANENT (70011)', async () => {
    const t = await newTenant();
    const e = await failure(clientFor({ graphScope: 'https://graph.microsoft.com/User.Read https://other/.default' }).readOrganization(t.id));
    expect(e).toMatchObject({ code: 'PERMANENT', info: expect.objectContaining({ aadsts: [70011] }) });
  });
});

describe('certificate assertions in both styles (contract §2)', () => {
  const pem = readFileSync(ORCHESTRATOR_PEM, 'utf8');
  const der = new X509Certificate(pem).raw;
  const key = createPrivateKey(pem);
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

  async function token(tenantId: string, alg: 'RS256' | 'PS256', claims: Record<string, unknown> = {}) {
    const { sign, constants } = await import('node:crypto');
    const header = alg === 'RS256' ? { alg, typ: 'JWT', x5t: createHash('sha1').update(der).digest('base64url') } : { alg, typ: 'JWT', 'x5t#S256': createHash('sha256').update(der).digest('base64url') };
    const endpoint = `${sim.urls['identity']}/${tenantId}/oauth2/v2.0/token`;
    const now = Math.floor(Date.now() / 1000);
    const input = `${b64(header)}.${b64({ aud: endpoint, iss: apps.orchestrator, sub: apps.orchestrator, jti: randomUUID(), nbf: now, exp: now + 600, ...claims })}`;
    const sig = alg === 'RS256' ? sign('sha256', Buffer.from(input), key) : sign('sha256', Buffer.from(input), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: apps.orchestrator, grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: `${input}.${sig.toString('base64url')}`, 'x-client-SKU': 'test' }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('accepts RS256 + x5t and PS256 + x5t#S256; the token carries tid, appid and roles', async () => {
    const t = await newTenant();
    for (const alg of ['RS256', 'PS256'] as const) {
      const r = await token(t.id, alg);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ token_type: 'Bearer', expires_in: 3599 });
      const claims = JSON.parse(Buffer.from(String(r.body['access_token']).split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
      expect(claims).toMatchObject({ aud: 'https://graph.microsoft.com', tid: t.id, appid: apps.orchestrator, roles: expect.arrayContaining(['Application.ReadWrite.All']) });
    }
  });

  it('rejects an expired assertion (700024) and a wrong audience (700027) with Entra’s body shape', async () => {
    const t = await newTenant();
    const expired = await token(t.id, 'RS256', { nbf: 1_000, exp: 2_000 });
    expect(expired.status).toBe(401);
    expect(expired.body).toMatchObject({ error: 'invalid_client', error_codes: [700024], error_description: expect.stringMatching(/^AADSTS700024: .*Timestamp: /) });
    expect(Object.keys(expired.body).sort()).toEqual(['correlation_id', 'error', 'error_codes', 'error_description', 'error_uri', 'timestamp', 'trace_id']);
    const aud = await token(t.id, 'PS256', { aud: 'https://elsewhere/token' });
    expect(aud.body).toMatchObject({ error_codes: [700027] });
  });
});

describe('Graph errors map to coded errors', () => {
  it('missing role → FORBIDDEN naming the permission', async () => {
    const t = await newTenant();
    const e = await failure(clientFor({ clientId: apps.readOnly }).ensureServicePrincipal(t.id, apps.restorePortal));
    expect(e).toMatchObject({ code: 'FORBIDDEN', info: expect.objectContaining({ status: 403, vendorCode: 'Authorization_RequestDenied', missingPermission: 'Application.ReadWrite.All' }) });
    expect(e.hint).toContain('Application.ReadWrite.All');
  });

  it('consent revoked after the token was issued → CONSENT_MISSING (Authorization_IdentityNotFound)', async () => {
    const t = await newTenant();
    const client = clientFor();
    await client.readOrganization(t.id);
    await client.removeServicePrincipal(t.id, apps.orchestrator);
    expect(await failure(client.readOrganization(t.id))).toMatchObject({ code: 'CONSENT_MISSING', info: expect.objectContaining({ vendorCode: 'Authorization_IdentityNotFound' }) });
  });

  it('referencing an object that does not exist → PERMANENT (400)', async () => {
    const t = await newTenant();
    const e = await failure(clientFor().ensureDelegatedGrant(t.id, randomUUID(), randomUUID(), ['User.Read']));
    expect(e).toMatchObject({ code: 'PERMANENT', info: expect.objectContaining({ status: 400 }) });
  });

  it('429 → THROTTLED with the full Retry-After; waiting it counts no violation', async () => {
    const t = await newTenant();
    const client = clientFor();
    await client.verifyAccess(t.id);
    await sim.admin('/_sim/faults', { tenants: { [t.id]: { throttleRate: 1, retryAfterSeconds: [1, 1] } } }, 'PUT');
    const e = await failure(client.readOrganization(t.id));
    expect(e).toMatchObject({ code: 'THROTTLED', retryAfterMs: 1000, retryable: true });
    await sim.admin('/_sim/faults', {}, 'PUT');
    await new Promise((r) => setTimeout(r, e.retryAfterMs));
    await client.readOrganization(t.id);
    const s = (await sim.admin<SimStats>(`/_sim/stats?tenant=${t.id}`)).tenants[t.id]!;
    expect(s.retryAfterViolations).toBe(0);
  });

  it('a throttled authority-metadata request → THROTTLED with its Retry-After, and no second request inside it', async () => {
    // MSAL reduces the failed openid-configuration answer to endpoints_resolution_error; the client's pipeline policy
    // kept the 429 and its Retry-After (diagnosing by fetching the document again came inside the wait).
    const t = await newTenant();
    const client = clientFor();
    await sim.admin('/_sim/faults', { tenants: { [t.id]: { throttleRate: 1, retryAfterSeconds: [2, 2] } } }, 'PUT');
    const e = await failure(client.readOrganization(t.id));
    expect(e).toMatchObject({ code: 'THROTTLED', retryAfterMs: 2000 });
    await sim.admin('/_sim/faults', {}, 'PUT');
    await new Promise((r) => setTimeout(r, e.retryAfterMs));
    await client.readOrganization(t.id);
    const stats = await sim.admin<SimStats & { retryAfterViolationLog: unknown[] }>(`/_sim/stats?tenant=${t.id}`);
    expect({ violations: stats.tenants[t.id]!.retryAfterViolations, log: stats.retryAfterViolationLog }).toEqual({ violations: 0, log: [] });
  });

  it('token-bucket mode throttles once the documented budget is spent', async () => {
    const t = await newTenant();
    const client = clientFor();
    await client.verifyAccess(t.id);
    await sim.admin('/_sim/faults', { tenants: { [t.id]: { tokenBucket: { enabled: true, ruPer10s: 2 } } } }, 'PUT');
    await client.readOrganization(t.id);
    await client.readOrganization(t.id);
    const e = await failure(client.readOrganization(t.id));
    expect(e.code).toBe('THROTTLED');
    expect(e.retryAfterMs).toBeGreaterThanOrEqual(1000);
    // Retrying immediately is a violation the simulator records (contract §6).
    await failure(client.readOrganization(t.id));
    expect((await sim.admin<SimStats>(`/_sim/stats?tenant=${t.id}`)).tenants[t.id]!.retryAfterViolations).toBe(1);
  });

  it.each([
    ['429 with Retry-After', { throttleRate: 1, retryAfterSeconds: [1, 1] }, 1000],
    ['503', { error503Rate: 1 }, MSAL_THROTTLE_MS],
  ])('a token request answered %s through every retry of @azure/identity → THROTTLED for as long as MSAL refuses it', async (_n, fault, waitMs) => {
    // @azure/identity surfaces these as AuthenticationRequiredError: no status, the AADSTS code (50196, 90033) and
    // `temporarily_unavailable` in the text. Mapped as PERMANENT, they failed an onboarding run for good
    // (ENTRA_PERMANENT, 1 of 200 runs in a CI run). The real credential with the client's pipeline policy, metadata
    // already cached: claims make MSAL skip its token cache, so only the token request meets the fault.
    const t = await newTenant();
    const failures = new AuthorityFailures();
    const credential = new ClientCertificateCredential(t.id, apps.orchestrator, ORCHESTRATOR_PEM, {
      authorityHost: sim.urls['identity']!,
      disableInstanceDiscovery: true,
      additionalPolicies: [{ policy: failures.policy, position: 'perRetry' }],
    });
    await credential.getToken('https://graph.microsoft.com/.default');
    await sim.admin('/_sim/faults', { tenants: { [t.id]: fault } }, 'PUT');
    const claims = JSON.stringify({ access_token: { xms_cc: { values: ['cp1'] } } });
    const attempt = () => credential.getToken('https://graph.microsoft.com/.default', { claims }).then(() => undefined, (e: unknown) => e);
    const err = await attempt();
    const opts = { authorityHost: sim.urls['identity']!, graphBaseUrl: sim.urls['graph']!, clientId: apps.orchestrator, lruSize: 1 };
    const mapped = await diagnoseAuthority(toEntraError(err, { tenantId: t.id, operation: 'acquire app-only token' }), t.id, opts, failures);
    expect(mapped).toMatchObject({ code: 'THROTTLED', retryAfterMs: waitMs });
    // Why a wait and not a backoff: MSAL now answers the same request itself, without asking Entra.
    const before = (await sim.admin<SimStats>(`/_sim/stats?tenant=${t.id}`)).tenants[t.id]!.requests;
    await sim.admin('/_sim/faults', {}, 'PUT');
    expect(await attempt()).toBeDefined();
    expect((await sim.admin<SimStats>(`/_sim/stats?tenant=${t.id}`)).tenants[t.id]!.requests).toBe(before);
  }, 30_000);

  it.each([
    ['503', { error503Rate: 1 }],
    ['504', { error504Rate: 1 }],
    ['connection reset', { resetRate: 1 }],
  ])('%s → TRANSIENT', async (_n, fault) => {
    const t = await newTenant();
    const client = clientFor();
    await client.verifyAccess(t.id);
    await sim.admin('/_sim/faults', { tenants: { [t.id]: fault } }, 'PUT');
    const err = await failure(client.readOrganization(t.id));
    expect(err.code).toBe('TRANSIENT');
  });
});

describe('admin consent', () => {
  const consentUrl = (tenant: string, redirect: string) =>
    `${sim.urls['identity']}/${tenant}/adminconsent?client_id=${apps.orchestrator}&redirect_uri=${encodeURIComponent(redirect)}&state=xyz`;

  it('creates the SP and its permissions, redirects with admin_consent=True; refusal and unknown redirect_uri as Entra', async () => {
    const t = await newTenant({ consentedApps: [] });
    const ok = await fetch(consentUrl(t.id, apps.redirectUri), { redirect: 'manual' });
    expect(ok.status).toBe(302);
    const loc = new URL(ok.headers.get('location')!);
    expect(Object.fromEntries(loc.searchParams)).toEqual({ admin_consent: 'True', tenant: t.id, state: 'xyz' });
    const org = await clientFor().readOrganization(t.id);
    expect(org.id).toBe(t.id);

    const refusing = await newTenant({ consent: 'refuses', consentedApps: [] });
    const no = await fetch(consentUrl(refusing.id, apps.redirectUri), { redirect: 'manual' });
    expect(new URL(no.headers.get('location')!).searchParams.get('error')).toBe('access_denied');

    const bad = await fetch(consentUrl(t.id, 'https://attacker.example/cb'), { redirect: 'manual' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('AADSTS50011');
  });
});

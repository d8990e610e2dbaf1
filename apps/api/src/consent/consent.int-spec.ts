import { randomUUID } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@app/config';
import { issueApiKey, PrismaService } from '@app/db';
import { newConsentNonce, signConsentState } from '@app/onboarding';
import {
  createTestDatabase,
  deleteQueueKeys,
  registerSeededSecret,
  RunningSimulator,
  startSimulator,
  TestDatabase,
  testQueuePrefix,
} from '@app/testing';
import { createApiApp } from '../bootstrap';

const PUBLIC_BASE_URL = 'https://orchestrator.msp.example';
const SECRET = 'consent-state-secret-for-tests-0123456789';
registerSeededSecret('consent state secret', SECRET);
const ORCHESTRATOR_APP_ID = randomUUID();

/**
 * Admin-consent bootstrap end to end: the link from our API is followed through entra-sim's /adminconsent over
 * HTTPS (standing in for the admin's browser), and the redirect's query is brought back to our callback.
 */
describe('admin consent bootstrap', () => {
  let db: TestDatabase;
  let sim: RunningSimulator;
  let app: NestFastifyApplication;
  let prisma: PrismaService;
  let key: string;
  const prefix = testQueuePrefix();

  beforeAll(async () => {
    sim = await startSimulator('entra-sim');
    await sim.admin('/_sim/seed', {
      apps: [
        {
          appId: ORCHESTRATOR_APP_ID,
          displayName: 'MSP Orchestrator',
          secret: 's3cret',
          redirectUris: [`${PUBLIC_BASE_URL}/v1/consent/callback`],
          requiredAppRoles: ['Application.ReadWrite.All'],
        },
      ],
    });
    db = await createTestDatabase();
    Object.assign(process.env, {
      DATABASE_URL: db.url,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'silent',
      ENTRA_AUTHORITY_HOST: sim.urls['identity'],
      PUBLIC_BASE_URL,
      ORCHESTRATOR_APP_ID,
      CONSENT_STATE_SECRET: SECRET,
    });
    app = await createApiApp(loadConfig());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    prisma = app.get(PrismaService);
    key = (await issueApiKey(prisma, { name: 'portal', scopes: ['tenants:write', 'tenants:read'], tenantTags: [] })).key;
  });

  afterAll(async () => {
    await app?.close();
    await deleteQueueKeys(loadConfig().redis.url, prefix);
    await db?.drop();
    await sim?.stop();
  });

  /** A customer tenant in entra-sim and registered with us (awaiting consent). */
  async function tenant(consent: 'consents' | 'refuses' = 'consents', displayName = 'Contoso') {
    const entraTenantId = randomUUID();
    await sim.admin('/_sim/seed', {
      tenants: [
        { id: entraTenantId, domain: `t${entraTenantId.slice(0, 8)}.onmicrosoft.com`, displayName, consent },
      ],
    });
    const res = await app.inject({
      method: 'POST',
      url: '/v1/tenants',
      headers: { authorization: `Bearer ${key}` },
      payload: { entraTenantId, displayName },
    });
    expect(res.statusCode).toBe(201);
    return { id: res.json<{ id: string }>().id, entraTenantId };
  }

  async function consentLink(tenantId: string): Promise<{ url: string; expiresAt: string }> {
    const res = await app.inject({
      method: 'GET',
      url: `/v1/tenants/${tenantId}/consent-link`,
      headers: { authorization: `Bearer ${key}`, 'x-request-id': 'req-link' },
    });
    expect(res.statusCode).toBe(200);
    return res.json();
  }

  /** What the admin's browser does: open the link, get redirected, land on our callback with Entra's query. */
  async function followThroughEntra(url: string): Promise<URLSearchParams> {
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(`${PUBLIC_BASE_URL}/v1/consent/callback`);
    return location.searchParams;
  }

  const callback = (query: URLSearchParams | string) =>
    app.inject({
      method: 'GET',
      url: `/v1/consent/callback?${query.toString()}`,
      headers: { 'user-agent': 'admin-browser/1.0' },
    });
  const stateRow = (state: string) =>
    prisma.consentState.findUniqueOrThrow({ where: { nonce: state.split('.')[1]! } });
  const runs = (tenantId: string) => prisma.run.findMany({ where: { tenantId } });
  const rejections = (tenantId: string | null) =>
    prisma.activityLog.findMany({ where: { tenantId, action: 'consent.rejected' }, orderBy: { id: 'asc' } });

  it('issues an admin-consent URL for the orchestrator app with a signed, expiring state', async () => {
    const t = await tenant();
    const before = Date.now();
    const link = await consentLink(t.id);
    const url = new URL(link.url);
    expect(`${url.origin}${url.pathname}`).toBe(`${sim.urls['identity']}/${t.entraTenantId}/adminconsent`);
    expect(url.searchParams.get('client_id')).toBe(ORCHESTRATOR_APP_ID);
    expect(url.searchParams.get('redirect_uri')).toBe(`${PUBLIC_BASE_URL}/v1/consent/callback`);
    const state = url.searchParams.get('state')!;
    expect(state).toMatch(/^v1\.[\w-]+\.\d+\.[\w-]{43}$/);
    const expiresAt = Date.parse(link.expiresAt);
    expect(expiresAt).toBeGreaterThan(before + 23.9 * 3600_000);
    expect(await stateRow(state)).toMatchObject({
      tenantId: t.id,
      usedAt: null,
      expiresAt: new Date(expiresAt),
    });
    expect(
      await prisma.activityLog.findFirst({ where: { tenantId: t.id, action: 'consent.link_issued' } }),
    ).toMatchObject({ actor: 'portal', correlationId: 'req-link' });
  });

  it('records granted consent and starts the onboarding run; the same state replayed is refused', async () => {
    const t = await tenant();
    const { url } = await consentLink(t.id);
    const query = await followThroughEntra(url);
    expect(query.get('admin_consent')).toBe('True');
    const res = await callback(query);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.body).toContain('Consent recorded');

    const [run, ...others] = await runs(t.id);
    expect(others).toEqual([]);
    expect(run).toMatchObject({
      kind: 'onboard',
      status: 'queued',
      activeTenantId: t.id,
      requestedBy: 'admin-consent-callback',
    });
    expect(await stateRow(query.get('state')!)).toMatchObject({
      outcome: 'granted',
      usedAt: expect.any(Date),
    });
    const tenantRow = await prisma.tenant.findUniqueOrThrow({ where: { id: t.id } });
    expect(tenantRow).toMatchObject({ status: 'onboarding', consentedAt: expect.any(Date) });
    const granted = await prisma.activityLog.findFirstOrThrow({
      where: { tenantId: t.id, action: 'consent.granted' },
    });
    expect(granted.details).toMatchObject({
      userAgent: 'admin-browser/1.0',
      entraTenantParam: t.entraTenantId,
    });
    // entra-sim made the orchestrator's service principal: consent really happened on the other side.
    const simState = await sim.admin<{ servicePrincipals: { appId: string }[] }>(
      `/_sim/state/${t.entraTenantId}`,
    );
    expect(simState.servicePrincipals.map((s) => s.appId)).toContain(ORCHESTRATOR_APP_ID);

    const replay = await callback(query);
    expect(replay.statusCode).toBe(409);
    expect(replay.body).toContain('already used');
    expect(await runs(t.id)).toHaveLength(1);
    expect((await rejections(t.id)).map((r) => (r.details as { outcome: string }).outcome)).toEqual([
      'replayed',
    ]);
  });

  it('consumes a state exactly once under concurrent callbacks', async () => {
    const t = await tenant();
    const query = await followThroughEntra((await consentLink(t.id)).url);
    const answers = await Promise.all([callback(query), callback(query), callback(query)]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 409, 409]);
    expect(await runs(t.id)).toHaveLength(1);
  });

  it('resumes the run parked in awaiting_consent instead of starting another', async () => {
    const t = await tenant();
    const parked = await prisma.run.create({
      data: {
        tenantId: t.id,
        kind: 'onboard',
        status: 'awaiting_consent',
        activeTenantId: t.id,
        correlationId: 'c',
        requestedBy: 'portal',
      },
    });
    expect((await callback(await followThroughEntra((await consentLink(t.id)).url))).statusCode).toBe(200);
    expect(await runs(t.id)).toEqual([expect.objectContaining({ id: parked.id, status: 'queued' })]);
  });

  it('records a refused consent and starts nothing', async () => {
    const t = await tenant('refuses');
    const query = await followThroughEntra((await consentLink(t.id)).url);
    expect(query.get('error')).toBe('access_denied');
    const res = await callback(query);
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('Consent was not granted');
    expect(await runs(t.id)).toEqual([]);
    expect(await stateRow(query.get('state')!)).toMatchObject({
      outcome: 'denied',
      detail: expect.stringContaining('AADSTS65004'),
    });
    expect(await prisma.tenant.findUniqueOrThrow({ where: { id: t.id } })).toMatchObject({
      status: 'awaiting_consent',
      consentedAt: null,
      statusReason: expect.stringContaining('refused'),
    });
    expect(await prisma.activityLog.count({ where: { tenantId: t.id, action: 'consent.denied' } })).toBe(1);
  });

  it('rejects a forged state without consuming the real one', async () => {
    const t = await tenant();
    const query = await followThroughEntra((await consentLink(t.id)).url);
    const real = query.get('state')!;
    const [v, nonce, exp] = real.split('.');
    const forgeries = [
      [
        v,
        nonce,
        exp,
        signConsentState('another-secret-another-secret-0000', {
          nonce: nonce!,
          expiresAt: new Date(),
        }).split('.')[3],
      ].join('.'),
      [v, nonce, String(Number(exp) + 86_400), real.split('.')[3]].join('.'),
      'garbage',
    ];
    for (const state of forgeries) {
      const forged = new URLSearchParams(query);
      forged.set('state', state);
      const res = await callback(forged);
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('not valid');
    }
    expect((await callback('admin_consent=True')).statusCode).toBe(400);
    expect(await stateRow(real)).toMatchObject({ usedAt: null, outcome: null });
    expect(await runs(t.id)).toEqual([]);
    const forgedRows = await prisma.activityLog.findMany({
      where: { action: 'consent.rejected', tenantId: null },
    });
    expect(forgedRows.filter((r) => (r.details as { outcome: string }).outcome === 'forged')).toHaveLength(3);
    // The real link still works afterwards.
    expect((await callback(query)).statusCode).toBe(200);
  });

  it('rejects and records an expired state', async () => {
    const t = await tenant();
    const nonce = newConsentNonce();
    const expiresAt = new Date(Math.floor(Date.now() / 1000) * 1000 - 1000);
    await prisma.consentState.create({ data: { nonce, tenantId: t.id, expiresAt } });
    const state = signConsentState(SECRET, { nonce, expiresAt });
    const res = await callback(
      new URLSearchParams({ admin_consent: 'True', tenant: t.entraTenantId, state }),
    );
    expect(res.statusCode).toBe(410);
    expect(res.body).toContain('expired');
    expect(await stateRow(state)).toMatchObject({ outcome: 'expired', usedAt: expect.any(Date) });
    expect(await runs(t.id)).toEqual([]);
    expect((await rejections(t.id)).map((r) => (r.details as { outcome: string }).outcome)).toEqual([
      'expired',
    ]);
  });

  it('rejects and records consent given in another tenant than the link was issued for', async () => {
    const t = await tenant();
    const query = await followThroughEntra((await consentLink(t.id)).url);
    query.set('tenant', randomUUID());
    const res = await callback(query);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('different organization');
    expect(await stateRow(query.get('state')!)).toMatchObject({ outcome: 'tenant_mismatch' });
    expect(await runs(t.id)).toEqual([]);
    expect(await prisma.tenant.findUniqueOrThrow({ where: { id: t.id } })).toMatchObject({
      consentedAt: null,
    });
  });

  it('answers small escaped HTML pages, never a stack trace or the secret', async () => {
    const t = await tenant('consents', '<script>alert("x")</script> & Co');
    const res = await callback(await followThroughEntra((await consentLink(t.id)).url));
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co');
    expect(res.body).not.toContain('<script>');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    const bad = await callback('state=v1.%3Cb%3E.1.x&error=%3Cimg%20src%3Dx%3E');
    for (const page of [res, bad]) {
      expect(page.body).not.toMatch(/at \w+ \(|Error:|node_modules/);
      expect(page.body).not.toContain(SECRET);
      expect(page.body.length).toBeLessThan(2000);
    }
  });

  it('refuses a link for an offboarded tenant and needs an API key with tenants:write', async () => {
    const t = await tenant();
    await prisma.tenant.update({ where: { id: t.id }, data: { status: 'offboarded' } });
    const res = await app.inject({
      method: 'GET',
      url: `/v1/tenants/${t.id}/consent-link`,
      headers: { authorization: `Bearer ${key}` },
    });
    expect(res.statusCode).toBe(409);
    expect((await app.inject({ method: 'GET', url: `/v1/tenants/${t.id}/consent-link` })).statusCode).toBe(
      401,
    );
    expect(
      (
        await app.inject({
          method: 'GET',
          url: `/v1/tenants/${randomUUID()}/consent-link`,
          headers: { authorization: `Bearer ${key}` },
        })
      ).statusCode,
    ).toBe(404);
  });
});

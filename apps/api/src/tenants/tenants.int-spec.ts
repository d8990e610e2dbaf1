import { randomUUID } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@app/config';
import { issueApiKey, PrismaService } from '@app/db';
import { JobProducer } from '@app/jobs';
import {
  createTestDatabase,
  deleteQueueKeys,
  RunningSimulator,
  startSimulator,
  TestDatabase,
  testQueuePrefix,
} from '@app/testing';
import { createApiApp } from '../bootstrap';

/** Tenants API against a real Postgres and Redis, with domain resolution through entra-sim over HTTPS. */
describe('tenants API', () => {
  let db: TestDatabase;
  let sim: RunningSimulator;
  let app: NestFastifyApplication;
  let prisma: PrismaService;
  const prefix = testQueuePrefix();
  const keys: Record<string, string> = {};
  const simTenant = { id: randomUUID(), domain: `fabrikam-${Date.now()}.onmicrosoft.com` };

  beforeAll(async () => {
    sim = await startSimulator('entra-sim');
    await sim.admin('/_sim/seed', {
      tenants: [{ id: simTenant.id, domain: simTenant.domain, displayName: 'Fabrikam', consent: 'consents' }],
    });
    db = await createTestDatabase();
    Object.assign(process.env, {
      DATABASE_URL: db.url,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'silent',
      ENTRA_AUTHORITY_HOST: sim.urls['identity'],
    });
    app = await createApiApp(loadConfig());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    prisma = app.get(PrismaService);
    for (const [name, scopes, tags] of [
      ['writer', ['tenants:write', 'tenants:read'], []],
      ['reader', ['tenants:read'], []],
      ['emea-writer', ['tenants:write', 'tenants:read'], ['emea']],
    ] as const) {
      keys[name] = (await issueApiKey(prisma, { name, scopes: [...scopes], tenantTags: [...tags] })).key;
    }
  });

  afterAll(async () => {
    await app?.close();
    await deleteQueueKeys(loadConfig().redis.url, prefix);
    await db?.drop();
    await sim?.stop();
  });

  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    key: string,
    body?: unknown,
    requestId?: string,
  ) =>
    app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${keys[key]}`, ...(requestId ? { 'x-request-id': requestId } : {}) },
      ...(body === undefined ? {} : { payload: body as object }),
    });
  const fields = (res: { json: () => unknown }) =>
    new Set((res.json() as { errors: { field: string }[] }).errors.map((e) => e.field));
  const create = async (body: Record<string, unknown>, key = 'writer') => {
    const res = await call('POST', '/v1/tenants', key, {
      displayName: 'T',
      entraTenantId: randomUUID(),
      ...body,
    });
    expect(res.statusCode).toBe(201);
    return res.json<{ id: string; entraTenantId: string; status: string; run: { id: string } | null }>();
  };

  it('names every invalid field of a POST and stores nothing', async () => {
    const res = await call('POST', '/v1/tenants', 'writer', {
      entraTenantId: 'not-a-guid',
      domain: 'not a domain',
      displayName: '',
      tags: ['ok', 'has space'],
      excluded: 'yes',
      consentMode: 'sometimes',
      retentionDays: 0,
      driftMode: 'fix',
      color: 'red',
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(fields(res)).toEqual(
      new Set([
        'entraTenantId',
        'domain',
        'displayName',
        'tags',
        'excluded',
        'consentMode',
        'retentionDays',
        'driftMode',
        'color',
      ]),
    );
    const neither = await call('POST', '/v1/tenants', 'writer', { displayName: 'X' });
    expect(fields(neither)).toEqual(new Set(['entraTenantId']));
    expect(neither.json<{ errors: { message: string }[] }>().errors.map((e) => e.message)).toContain(
      'give entraTenantId or domain',
    );
    expect(await prisma.tenant.count()).toBe(0);
    expect(await prisma.activityLog.count()).toBe(0);
  });

  it('registers by tenant id in awaiting_consent and records who asked, in the same transaction', async () => {
    const id = randomUUID();
    const res = await call(
      'POST',
      '/v1/tenants',
      'writer',
      { entraTenantId: id.toUpperCase(), displayName: 'Contoso', tags: ['emea', 'emea', 'gold'] },
      'req-create-1',
    );
    expect(res.statusCode).toBe(201);
    const body = res.json<{ id: string }>();
    expect(body).toMatchObject({
      entraTenantId: id,
      displayName: 'Contoso',
      tags: ['emea', 'gold'],
      status: 'awaiting_consent',
      consentMode: 'admin-consent-link',
      excluded: false,
      retentionDays: 365,
      driftMode: 'report',
      run: null,
    });
    const log = await prisma.activityLog.findMany({ where: { tenantId: body.id } });
    expect(log).toEqual([
      expect.objectContaining({ actor: 'writer', action: 'tenant.created', correlationId: 'req-create-1' }),
    ]);
    expect(await prisma.run.count({ where: { tenantId: body.id } })).toBe(0);
  });

  it('answers 409 with the existing id for a duplicate, without the id when the key cannot see it', async () => {
    const first = await create({ tags: ['us'] });
    const dup = await call('POST', '/v1/tenants', 'writer', {
      entraTenantId: first.entraTenantId.toUpperCase(),
      displayName: 'Again',
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ code: 'CONFLICT', existingTenantId: first.id });
    const hidden = await call('POST', '/v1/tenants', 'emea-writer', {
      entraTenantId: first.entraTenantId,
      displayName: 'Again',
      tags: ['emea'],
    });
    expect(hidden.statusCode).toBe(409);
    expect(hidden.json()).not.toHaveProperty('existingTenantId');
    expect(await prisma.tenant.count({ where: { entraTenantId: first.entraTenantId } })).toBe(1);
  });

  it('resolves a verified domain to its tenant id through the authority metadata', async () => {
    const res = await call('POST', '/v1/tenants', 'writer', {
      domain: simTenant.domain.toUpperCase(),
      displayName: 'Fabrikam',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ entraTenantId: simTenant.id, primaryDomain: simTenant.domain });

    const unknown = await call('POST', '/v1/tenants', 'writer', {
      domain: 'nobody-has-this.onmicrosoft.com',
      displayName: 'X',
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({
      errors: [{ field: 'domain', message: 'is not a verified domain of any Entra tenant' }],
    });
    const mismatch = await call('POST', '/v1/tenants', 'writer', {
      domain: simTenant.domain,
      entraTenantId: randomUUID(),
      displayName: 'X',
    });
    expect(mismatch.statusCode).toBe(400);
    expect(fields(mismatch)).toEqual(new Set(['domain']));
  });

  it('starts an onboarding run at once for a preconsented tenant', async () => {
    const t = await create({ consentMode: 'preconsented' });
    expect(t.status).toBe('onboarding');
    const run = await prisma.run.findFirstOrThrow({ where: { tenantId: t.id } });
    expect(t.run?.id).toBe(run.id);
    expect(run).toMatchObject({
      kind: 'onboard',
      status: 'queued',
      activeTenantId: t.id,
      requestedBy: 'writer',
      dryRun: false,
    });
    const job = await app.get(JobProducer).queue('runs').getJob(`run-${run.id}`);
    expect(job?.data).toMatchObject({ runId: run.id, tenantId: t.id });
  });

  it('patches with field-level validation, records only real changes, and never starts a run', async () => {
    const t = await create({ tags: ['emea'] });
    const bad = await call('PATCH', `/v1/tenants/${t.id}`, 'writer', {
      displayName: '',
      tags: 'emea',
      excluded: 1,
      consentMode: 'x',
      retentionDays: 99999,
      driftMode: 'x',
      entraTenantId: randomUUID(),
    });
    expect(bad.statusCode).toBe(400);
    expect(fields(bad)).toEqual(
      new Set([
        'displayName',
        'tags',
        'excluded',
        'consentMode',
        'retentionDays',
        'driftMode',
        'entraTenantId',
      ]),
    );
    expect(fields(await call('PATCH', `/v1/tenants/${t.id}`, 'writer', {}))).toEqual(new Set(['body']));

    const ok = await call(
      'PATCH',
      `/v1/tenants/${t.id}`,
      'writer',
      {
        displayName: 'Renamed',
        excluded: true,
        consentMode: 'preconsented',
        retentionDays: 30,
        driftMode: 'repair',
        tags: ['emea'],
      },
      'req-patch',
    );
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({
      displayName: 'Renamed',
      excluded: true,
      consentMode: 'preconsented',
      retentionDays: 30,
      driftMode: 'repair',
      status: 'awaiting_consent',
    });
    const same = await call('PATCH', `/v1/tenants/${t.id}`, 'writer', { displayName: 'Renamed' });
    expect(same.statusCode).toBe(200);
    const logs = await prisma.activityLog.findMany({ where: { tenantId: t.id, action: 'tenant.updated' } });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ actor: 'writer', correlationId: 'req-patch' });
    expect(Object.keys((logs[0]!.details as { changes: object }).changes).sort()).toEqual([
      'consentMode',
      'displayName',
      'excluded',
      'retentionDays',
      'roleDriftMode',
    ]);
    expect(await prisma.run.count({ where: { tenantId: t.id } })).toBe(0);
  });

  it('filters the list by excluded', async () => {
    const inc = await create({ tags: ['filter-test'] });
    const exc = await create({ tags: ['filter-test'], excluded: true });
    const ids = async (q: string) =>
      (await call('GET', `/v1/tenants?tag=filter-test&${q}`, 'reader'))
        .json<{ items: { id: string }[] }>()
        .items.map((t) => t.id);
    expect(await ids('excluded=true')).toEqual([exc.id]);
    expect(await ids('excluded=false')).toEqual([inc.id]);
    expect(fields(await call('GET', '/v1/tenants?excluded=maybe', 'reader'))).toEqual(new Set(['excluded']));
  });

  it('deletes only tenants the product has changed nothing for', async () => {
    const fresh = await create({});
    const del = await call('DELETE', `/v1/tenants/${fresh.id}`, 'writer', undefined, 'req-del');
    expect(del.statusCode).toBe(200);
    expect(await prisma.tenant.findUnique({ where: { id: fresh.id } })).toBeNull();
    expect(
      await prisma.activityLog.findFirst({ where: { tenantId: fresh.id, action: 'tenant.deleted' } }),
    ).toMatchObject({ actor: 'writer', correlationId: 'req-del' });
    expect((await call('DELETE', `/v1/tenants/${fresh.id}`, 'writer')).statusCode).toBe(404);

    const busy = await create({ consentMode: 'preconsented' });
    const conflict = await call('DELETE', `/v1/tenants/${busy.id}`, 'writer');
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json()).toMatchObject({ activeRunId: busy.run!.id });

    const active = await create({});
    await prisma.tenant.update({ where: { id: active.id }, data: { status: 'active' } });
    const offboardFirst = await call('DELETE', `/v1/tenants/${active.id}`, 'writer');
    expect(offboardFirst.statusCode).toBe(409);
    expect(offboardFirst.json()).toMatchObject({
      status: 409,
      tenantStatus: 'active',
      hint: expect.stringContaining('Offboard it first'),
    });

    const failedWithRoles = await create({});
    await prisma.tenant.update({ where: { id: failedWithRoles.id }, data: { status: 'failed' } });
    await prisma.ownedVb365Role.create({
      data: { vb365RoleId: randomUUID(), tenantId: failedWithRoles.id, name: 'Helpdesk' },
    });
    expect((await call('DELETE', `/v1/tenants/${failedWithRoles.id}`, 'writer')).statusCode).toBe(409);
    expect(
      await prisma.tenant.count({ where: { id: { in: [busy.id, active.id, failedWithRoles.id] } } }),
    ).toBe(3);
  });

  it('keeps a tag-restricted key to its own tenants on every route', async () => {
    const mine = await create({ tags: ['emea'] }, 'emea-writer');
    const other = await create({ tags: ['us'] });
    const outside = await call('POST', '/v1/tenants', 'emea-writer', {
      entraTenantId: randomUUID(),
      displayName: 'X',
      tags: ['us'],
    });
    expect(outside.statusCode).toBe(400);
    expect(fields(outside)).toEqual(new Set(['tags']));
    expect((await call('GET', `/v1/tenants/${other.id}`, 'emea-writer')).statusCode).toBe(404);
    expect(
      (await call('PATCH', `/v1/tenants/${other.id}`, 'emea-writer', { displayName: 'Mine now' })).statusCode,
    ).toBe(404);
    expect((await call('DELETE', `/v1/tenants/${other.id}`, 'emea-writer')).statusCode).toBe(404);
    expect((await call('GET', `/v1/tenants/${other.id}/consent-link`, 'emea-writer')).statusCode).toBe(404);
    const listed = (await call('GET', '/v1/tenants?limit=500', 'emea-writer'))
      .json<{ items: { id: string }[] }>()
      .items.map((t) => t.id);
    expect(listed).toContain(mine.id);
    expect(listed).not.toContain(other.id);
    // A restricted key cannot move a tenant out of its own sight either.
    expect(fields(await call('PATCH', `/v1/tenants/${mine.id}`, 'emea-writer', { tags: ['us'] }))).toEqual(
      new Set(['tags']),
    );
    expect(await prisma.tenant.findUniqueOrThrow({ where: { id: other.id } })).toMatchObject({
      displayName: 'T',
      tags: ['us'],
    });
  });

  it('answers 403 to a read-only key on every mutation', async () => {
    const t = await create({});
    for (const [method, url] of [
      ['POST', '/v1/tenants'],
      ['PATCH', `/v1/tenants/${t.id}`],
      ['DELETE', `/v1/tenants/${t.id}`],
      ['GET', `/v1/tenants/${t.id}/consent-link`],
    ] as const) {
      expect({
        method,
        status: (
          await call(
            method,
            url,
            'reader',
            method === 'POST' || method === 'PATCH' ? { displayName: 'x' } : undefined,
          )
        ).statusCode,
      }).toEqual({ method, status: 403 });
    }
  });
});

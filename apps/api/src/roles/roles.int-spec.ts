import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@app/config';
import { issueApiKey, PrismaService } from '@app/db';
import { deleteQueueKeys, TestDatabase, testQueuePrefix } from '@app/testing';
import { startInProcessApi } from '../test-support/in-process-api';

/** Declared roles and templates through the real HTTP stack: validation, atomicity, template propagation. */
describe('restore operator roles API', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let prisma: PrismaService;
  const prefix = testQueuePrefix();
  const keys: Record<string, string> = {};
  let tenantId: string;
  let otherTenantId: string;

  beforeAll(async () => {
    ({ app, db, prisma } = await startInProcessApi({ QUEUE_PREFIX: prefix }));
    keys.reader = (await issueApiKey(prisma, { name: 'reader', scopes: ['tenants:read'] })).key;
    keys.writer = (await issueApiKey(prisma, { name: 'writer', scopes: ['tenants:read', 'tenants:write'] })).key;
    keys.emea = (await issueApiKey(prisma, { name: 'emea', scopes: ['tenants:read', 'tenants:write'], tenantTags: ['emea'] })).key;
    tenantId = (await prisma.tenant.create({ data: { displayName: 'Contoso', primaryDomain: 'contoso.example', tags: ['emea'] } })).id;
    otherTenantId = (await prisma.tenant.create({ data: { displayName: 'Fabrikam', primaryDomain: 'fabrikam.example', tags: ['us'] } })).id;
  });

  afterAll(async () => {
    await app?.close();
    await deleteQueueKeys(loadConfig().redis.url, prefix);
    await db?.drop();
  });

  const call = (method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, key: string, payload?: unknown) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${key}` }, ...(payload === undefined ? {} : { payload: payload as object }) });
  const rolesUrl = (id: string) => `/v1/tenants/${id}/restore-operator-roles`;

  const good = {
    name: 'HR restore',
    description: 'HR data',
    scope: 'specific-objects',
    operators: [{ user: 'alice@contoso.example' }, { group: 'Helpdesk Admins' }],
    selectedItems: [{ site: 'https://contoso.sharepoint.com/sites/hr' }, { team: 'Finance' }],
    excludedItems: [{ user: 'bob@contoso.example' }],
  };

  it('lists every bad field and stores nothing when anything is invalid', async () => {
    await call('PUT', rolesUrl(tenantId), keys.writer, { roles: [good] }); // a valid state to keep
    const before = await prisma.roleSpec.findMany({ where: { tenantId } });
    const changedAt = (await prisma.tenant.findUniqueOrThrow({ where: { id: tenantId } })).rolesChangedAt;
    const res = await call('PUT', rolesUrl(tenantId), keys.writer, {
      roles: [
        good,
        { name: 'No selection', scope: 'specific-objects', operators: [{ user: 'alice@contoso.example' }], selectedItems: [] },
        {
          name: 'hr RESTORE',
          scope: 'entire-organization',
          operators: [{ site: 'https://contoso.sharepoint.com' }, { user: 'not-an-email' }, { user: 'a@b.example', group: 'x' }],
          excludedItems: [{ team: 'Finance' }, { site: 'not a url' }, { group: 'Sales*' }],
        },
        { name: 'Both', scope: 'specific-objects', operators: [], selectedItems: [{ group: 'Executives' }], excludedItems: [{ group: 'executives' }] },
      ],
      templates: [{ name: 'No such template' }],
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const fields = (res.json<{ errors: { field: string }[] }>().errors ?? []).map((e) => e.field);
    expect([...new Set(fields)].sort()).toEqual(
      [
        'roles.1.selectedItems',
        'roles.2.name',
        'roles.2.operators.0',
        'roles.2.operators.1',
        'roles.2.operators.2',
        'roles.2.excludedItems.0',
        'roles.2.excludedItems.1',
        'roles.2.excludedItems.2',
        'roles.3.operators',
        'roles.3.excludedItems.0',
        'templates.0.name',
      ].sort(),
    );
    expect(await prisma.roleSpec.findMany({ where: { tenantId } })).toEqual(before);
    expect((await prisma.tenant.findUniqueOrThrow({ where: { id: tenantId } })).rolesChangedAt).toEqual(changedAt);
  });

  it('rejects unknown and mistyped fields with their paths', async () => {
    const res = await call('PUT', rolesUrl(tenantId), keys.writer, { roles: [{ ...good, scope: 'everything', colour: 'red', operators: [{ user: 42 }] }] });
    expect(res.statusCode).toBe(400);
    const fields = res.json<{ errors: { field: string }[] }>().errors.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['roles.0.scope', 'roles.0.colour', 'roles.0.operators.0.user']));
  });

  it('stores a valid declaration, marks the tenant changed, and GET returns it with the effective roles', async () => {
    const res = await call('PUT', rolesUrl(tenantId), keys.writer, { roles: [good], driftMode: 'repair' });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ roles: unknown[]; effective: { name: string; vb365RoleId: string | null; template: unknown }[]; driftMode: string; rolesChangedAt: string }>();
    expect(body.roles).toEqual([{ ...good, adopt: false }]);
    expect(body.effective).toEqual([expect.objectContaining({ name: 'HR restore', vb365RoleId: null, template: null })]);
    expect(body.driftMode).toBe('repair');
    expect(body.rolesChangedAt).not.toBeNull();
    expect((await call('GET', rolesUrl(tenantId), keys.reader)).json()).toEqual(body);
  });

  it('answers 404 for a tenant outside the key restriction and 403 without the write scope', async () => {
    expect((await call('GET', rolesUrl(otherTenantId), keys.emea)).statusCode).toBe(404);
    expect((await call('PUT', rolesUrl(otherTenantId), keys.emea, { roles: [] })).statusCode).toBe(404);
    expect((await call('PUT', rolesUrl(tenantId), keys.reader, { roles: [] })).statusCode).toBe(403);
  });

  it('templates: per-tenant placeholders and overrides, version bump marks every tenant using it, delete refused while used', async () => {
    const template = {
      description: 'Whole organization except the executives',
      scope: 'entire-organization',
      operators: [{ group: '{tenant.displayName} Helpdesk' }, { user: 'msp-ops@{tenant.domain}' }],
      excludedItems: [{ group: 'Executives' }],
    };
    const bad = await call('PUT', '/v1/role-templates/Helpdesk', keys.writer, { ...template, operators: [{ group: '{tenant.nope}' }] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toEqual(['operators.0']);
    expect((await call('PUT', '/v1/role-templates/Helpdesk', keys.emea, template)).statusCode).toBe(403);

    const created = await call('PUT', '/v1/role-templates/Helpdesk', keys.writer, template);
    expect(created.statusCode).toBe(200);
    expect(created.json()).toMatchObject({ name: 'Helpdesk', version: 1, tenantCount: 0 });

    for (const [id, overrides] of [[tenantId, { name: 'Contoso helpdesk' }], [otherTenantId, undefined]] as const) {
      const res = await call('PUT', rolesUrl(id), keys.writer, { roles: id === tenantId ? [good] : [], templates: [{ name: 'Helpdesk', ...(overrides ? { overrides } : {}) }] });
      expect(res.statusCode).toBe(200);
    }
    const contoso = (await call('GET', rolesUrl(tenantId), keys.reader)).json<{ effective: { name: string; operators: unknown[]; template: unknown }[] }>();
    expect(contoso.effective.map((r) => r.name)).toEqual(['HR restore', 'Contoso helpdesk']);
    expect(contoso.effective[1]).toMatchObject({
      operators: [{ group: 'Contoso Helpdesk' }, { user: 'msp-ops@contoso.example' }],
      template: { name: 'Helpdesk', version: 1 },
    });
    // An override name colliding with an explicit role is a field error.
    const clash = await call('PUT', rolesUrl(tenantId), keys.writer, { roles: [good], templates: [{ name: 'Helpdesk', overrides: { name: 'hr restore' } }] });
    expect(clash.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toEqual(['templates.0.overrides.name']);

    // Saving identical content keeps the version and marks nobody; a change bumps it and marks both tenants.
    const mark = new Date('2020-01-01T00:00:00Z');
    await prisma.tenant.updateMany({ data: { rolesChangedAt: mark } });
    expect((await call('PUT', '/v1/role-templates/Helpdesk', keys.writer, template)).json()).toMatchObject({ version: 1 });
    expect((await prisma.tenant.findMany()).map((t) => t.rolesChangedAt)).toEqual([mark, mark]);
    const changed = await call('PUT', '/v1/role-templates/Helpdesk', keys.writer, { ...template, description: 'v2' });
    expect(changed.json()).toMatchObject({ version: 2, tenantCount: 2 });
    for (const t of await prisma.tenant.findMany()) expect(t.rolesChangedAt!.getTime()).toBeGreaterThan(mark.getTime());
    expect((await call('GET', rolesUrl(otherTenantId), keys.reader)).json()).toMatchObject({ effective: [{ name: 'Helpdesk', description: 'v2', template: { version: 2 } }] });

    expect((await call('GET', '/v1/role-templates', keys.reader)).json()).toMatchObject({ items: [{ name: 'Helpdesk', version: 2, tenantCount: 2 }] });
    const refused = await call('DELETE', '/v1/role-templates/Helpdesk', keys.writer);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'CONFLICT' });
    for (const id of [tenantId, otherTenantId]) await call('PUT', rolesUrl(id), keys.writer, { roles: [] });
    expect((await call('DELETE', '/v1/role-templates/Helpdesk', keys.writer)).statusCode).toBe(200);
    expect((await call('GET', '/v1/role-templates/Helpdesk', keys.reader)).statusCode).toBe(404);
  });
});

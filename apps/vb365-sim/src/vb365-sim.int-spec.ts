import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@app/common';
import { RunningSimulator, startSimulator } from '@app/testing';

const SPEC = join(repoRoot(), '..', 'shared', 'contracts', 'vb365_rest_v8.json');
const USER = 'VB365\\simtest';
const PASSWORD = 'sim-test-pw';
let sim: RunningSimulator;
let token: string;
const ORG = '0a000000-0000-4000-8000-000000000001';
const MSID = '0b000000-0000-4000-8000-000000000001';

/** Calls the simulator; the simulator validates every request and answer against the contract (last test). */
async function call(method: string, path: string, opts: { body?: unknown; form?: Record<string, string>; auth?: string | null; cookie?: string } = {}) {
  const headers: Record<string, string> = {};
  const auth = opts.auth === undefined ? token : opts.auth;
  if (auth) headers.authorization = `Bearer ${auth}`;
  if (opts.cookie) headers.cookie = opts.cookie;
  let body: string | undefined;
  if (opts.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(opts.form).toString();
  } else if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  const res = await fetch(sim.urls.api + path, { method, headers, body });
  const text = await res.text();
  const json: unknown = text ? JSON.parse(text) : undefined;
  return { status: res.status, json: json as Record<string, unknown> & { results?: Record<string, unknown>[] }, headers: res.headers };
}

beforeAll(async () => {
  if (!existsSync(SPEC)) throw new Error(`CONTRACT MISSING: ${SPEC} does not exist; the vb365-sim contract tests cannot run.`);
  // openapi-backend pulls in ESM-only modules jest cannot load, so validation runs inside the simulator process
  // (sim-kit installContractRecorder) and is read back from GET /_sim/contract.
  sim = await startSimulator('vb365-sim', { VB365_SIM_USERNAME: USER, VB365_SIM_PASSWORD: PASSWORD, VB365_SIM_CONTRACT_SPEC: SPEC });
  await sim.admin('/_sim/seed', {
    organizations: [{ id: ORG, msid: MSID, name: 'Fabrikam', users: [{ displayName: 'Ada', name: 'ada@fabrikam.com' }, { displayName: 'Alan', name: 'alan@fabrikam.com' }] }],
    generate: { organizations: 40, seed: 7, restoreSessions: 50 },
  });
  const login = await call('POST', '/v8/token', { body: { grant_type: 'password', username: USER, password: PASSWORD, disable_antiforgery_token: true }, auth: null });
  token = login.json.access_token as string;
});

afterAll(async () => {
  await sim?.stop();
});

describe('vb365-sim', () => {
  it('issues tokens for form and JSON bodies, refreshes them, and rejects missing, invalid and logged-out tokens with 401', async () => {
    const form = await call('POST', '/v8/token', { form: { grant_type: 'password', username: USER.toLowerCase(), password: PASSWORD, disable_antiforgery_token: 'true' }, auth: null });
    expect(form.json).toMatchObject({ token_type: 'bearer', expires_in: 3600, userName: USER });
    expect(form.json['.expires']).toBeDefined();
    const refreshed = await call('POST', '/v8/token', { form: { grant_type: 'refresh_token', refresh_token: form.json.refresh_token as string, disable_antiforgery_token: 'true' }, auth: null });
    expect(refreshed.status).toBe(200);
    expect((await call('POST', '/v8/token', { body: { grant_type: 'password', username: USER, password: 'nope' }, auth: null })).status).toBe(401);
    expect((await call('GET', '/v8/ServiceInstance', { auth: null })).status).toBe(401);
    expect((await call('GET', '/v8/ServiceInstance', { auth: 'garbage' })).status).toBe(401);
    const mine = refreshed.json.access_token as string;
    expect((await call('POST', '/v8/token/logout', { auth: mine })).status).toBe(204);
    expect((await call('GET', '/v8/ServiceInstance', { auth: mine })).status).toBe(401);
  });

  it('requires the antiforgery cookie unless disable_antiforgery_token=true', async () => {
    const login = await call('POST', '/v8/token', { body: { grant_type: 'password', username: USER, password: PASSWORD }, auth: null });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const t = login.json.access_token as string;
    expect((await call('GET', '/v8/ServiceInstance', { auth: t })).status).toBe(401);
    expect((await call('GET', '/v8/ServiceInstance', { auth: t, cookie })).status).toBe(200);
  });

  it('pages organizations with _links and filters by msid', async () => {
    const first = await call('GET', '/v8/Organizations?limit=30');
    expect(first.json.results).toHaveLength(30);
    expect((first.json._links as Record<string, { href: string }>).next?.href).toBe('/v8/Organizations?offset=30&limit=30');
    const last = await call('GET', '/v8/Organizations?offset=30&limit=30');
    expect(last.json.results).toHaveLength(11);
    expect((last.json._links as Record<string, unknown>).next).toBeUndefined();
    const byMsid = await call('GET', `/v8/Organizations?msid=${MSID}`);
    expect(byMsid.json.results!.map((o) => o.id)).toEqual([ORG]);
    expect((await call('GET', '/v8/Organizations?limit=0')).json).toMatchObject({ errorCode: 'ParameterValidationFailure' });
  });

  it('answers RESTExceptionInfo with the right errorCode for the RBAC rules', async () => {
    const users = await call('GET', `/v8/Organizations/${ORG}/Users?displayName=A*a`);
    expect(users.json.results!.map((u) => u.displayName)).toEqual(['Ada']);
    expect(users.json.setId).toMatch(/^[0-9a-f-]{36}$/);
    const ada = users.json.results![0]!;
    const op = { type: 'User', user: { id: ada.id, displayName: 'Ada', name: 'ada@fabrikam.com', type: 'User' } };
    const bad = await call('POST', `/v8/Organizations/${ORG}/RbacRoles`, { body: { name: 'r', roleType: 'SpecificObjects', operators: [op] } });
    expect(bad).toMatchObject({ status: 400, json: { errorCode: 'ParameterValidationFailure' } });
    const created = await call('POST', `/v8/Organizations/${ORG}/RbacRoles`, { body: { name: 'r', roleType: 'EntireOrganization', operators: [op] } });
    expect(created.status).toBe(201);
    const roleId = created.json.id as string;
    expect((await call('POST', `/v8/RbacRoles/${roleId}/operators`, { body: [op] })).json).toMatchObject({ errorCode: 'OperationConflict' });
    expect((await call('GET', `/v8/RbacRoles/${roleId}/operators/${String(ada.id)}`)).json).toMatchObject({ type: 'User', id: ada.id });
    expect((await call('GET', `/v8/RbacRoles/${roleId}/selectedItems/nope`)).json).toMatchObject({ errorCode: 'ResourceNotFound' });
    expect((await call('PUT', `/v8/RbacRoles/${roleId}`, { body: { name: 'renamed' } })).status).toBe(204);
    expect((await call('DELETE', `/v8/RbacRoles/${roleId}`)).status).toBe(204);
  });

  it('serves restore sessions, events and the change feed with OutdatedChangeToken', async () => {
    const sessions = await call('GET', '/v8/RestoreSessions?limit=5&orderBy=EndTime&orderAsc=false');
    expect(sessions.json.results).toHaveLength(5);
    const events = await call('GET', `/v8/RestoreSessions/${String(sessions.json.results![0]!.id)}/Events`);
    expect(events.json.results!.length).toBeGreaterThan(0);
    const latest = await call('GET', '/v8/Events?from=latest');
    await sim.admin('/_sim/generator', { sessionsPerMinute: 600, workingMs: 300 }, 'PUT');
    const feed = await call('GET', `/v8/Events?from=${String(latest.json.nextChangeToken)}&timeoutSeconds=3`);
    expect(feed.json.results![0]).toMatchObject({ eventType: 'RestoreSessionUpdate' });
    await sim.admin('/_sim/generator', { sessionsPerMinute: 0 }, 'PUT');
    expect((await call('GET', '/v8/Events?from=deadbeef.1')).json).toMatchObject({ errorCode: 'OutdatedChangeToken' });
  });

  it('answers 503 beyond the concurrent-request cap and reports stats per organization and the peak', async () => {
    await sim.admin('/_sim/faults', { global: { latencyMs: 200 }, maxConcurrent: 2 }, 'PUT');
    await sim.admin('/_sim/stats', undefined, 'DELETE');
    const statuses = await Promise.all(Array.from({ length: 5 }, () => call('GET', `/v8/Organizations/${ORG}`).then((r) => r.status)));
    expect(statuses.filter((s) => s === 503)).toHaveLength(3);
    const stats = await sim.admin<{ peakConcurrent: number; rejectedByCap: number; byOrganization: Record<string, { requests: number }> }>('/_sim/stats');
    expect(stats.rejectedByCap).toBe(3);
    expect(stats.byOrganization[ORG]?.requests).toBe(5);
    await sim.admin('/_sim/faults', { global: {}, maxConcurrent: 0 }, 'PUT');
  });

  it('conformed to vb365_rest_v8.json in every request and response, and the validator does catch violations', async () => {
    const clean = await sim.admin<{ requests: number; responses: number; violations: unknown[] }>('/_sim/contract');
    expect(clean.responses).toBeGreaterThan(30);
    expect(clean.violations).toEqual([]);
    await call('GET', '/v8/Organizations?msid=not-a-uuid');
    const caught = await sim.admin<{ violations: { path: string; direction: string }[] }>('/_sim/contract');
    expect(caught.violations).toEqual([expect.objectContaining({ direction: 'request', path: '/v8/Organizations' })]);
  });

  it('resets to an empty server', async () => {
    await sim.admin('/_sim/reset', {});
    const state = await sim.admin<{ organizations: number; restoreSessions: number }>('/_sim/state');
    expect(state).toMatchObject({ organizations: 0, restoreSessions: 0 });
  });
});

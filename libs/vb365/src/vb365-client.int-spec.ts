import { readFileSync } from 'node:fs';
import { RunningSimulator, startSimulator } from '@app/testing';
import { Vb365Client } from './vb365.client';
import { Vb365Error } from './vb365.errors';
import { CA_PATH, OrgFixture, SIM_PASSWORD, SIM_USER, orgFixture, simEnv } from './testing/vb365-fixtures';

interface Stats {
  requests: number;
  writes: number;
  logins: number;
  refreshes: number;
  activeTokens: number;
  byStatus: Record<string, number>;
  byKind: Record<string, { requests: number; writes: number }>;
}
interface Contract {
  requests: number;
  responses: number;
  violations: unknown[];
}

let sim: RunningSimulator;
let client: Vb365Client;
const orgs: OrgFixture[] = [orgFixture(1, { users: 4 }), orgFixture(2, { users: 2 }), orgFixture(3, { users: 0 }), orgFixture(4), orgFixture(5)];
const onPrem: OrgFixture = { ...orgFixture(6), type: 'OnPremises' };
const org = orgs[0]!;

const newClient = (extra: Partial<ConstructorParameters<typeof Vb365Client>[0]> = {}): Vb365Client =>
  new Vb365Client({ baseUrl: sim.urls.api!, username: SIM_USER, password: SIM_PASSWORD, caBundlePath: CA_PATH, concurrency: 'local', pageSize: 2, retryBaseMs: 5, ...extra });
const stats = (): Promise<Stats> => sim.admin<Stats>('/_sim/stats');
const faults = (body: unknown): Promise<unknown> => sim.admin('/_sim/faults', body, 'PUT');
const collect = async <T>(it: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};
async function failure(p: Promise<unknown>): Promise<Vb365Error> {
  try {
    await p;
  } catch (err) {
    if (err instanceof Vb365Error) return err;
    throw err;
  }
  throw new Error('expected a Vb365Error');
}

beforeAll(async () => {
  sim = await startSimulator('vb365-sim', simEnv());
  await sim.admin('/_sim/seed', {
    restorePortal: { isEnabled: true, applicationId: '11111111-2222-4333-8444-555555555555', restorePortalUri: 'https://portal.example/' },
    organizations: [...orgs, onPrem],
  });
  client = newClient();
});

afterAll(async () => {
  await client?.close();
  await sim?.stop();
});

describe('vb365 client against vb365-sim', () => {
  it('reads the service instance and the Restore Portal settings', async () => {
    expect((await client.organizations.serviceInstance()).version).toMatch(/^8\./);
    const portal = await client.organizations.restorePortalSettings();
    expect(portal).toMatchObject({ isEnabled: true, applicationId: '11111111-2222-4333-8444-555555555555' });
  });

  it('finds an organization by msid, and answers undefined / NOT_FOUND / VALIDATION otherwise', async () => {
    const found = await client.organizations.byMsid(org.msid);
    expect(found).toMatchObject({ id: org.id, name: org.name, type: 'Office365', exchangeOnlineSettings: { useApplicationOnlyAuth: true } });
    expect(await client.organizations.byMsid('99999999-0000-4000-8000-000000000000')).toBeUndefined();
    expect((await client.organizations.get(orgs[1]!.id)).msid).toBe(orgs[1]!.msid);
    expect((await failure(client.organizations.get('99999999-0000-4000-8000-000000000000'))).code).toBe('NOT_FOUND');
    // Deliberately off-contract (organizationId must be a uuid): the last test expects exactly this violation.
    expect((await failure(client.organizations.get('not-a-uuid'))).code).toBe('VALIDATION');
  });

  it('pages organizations with offset/limit and _links (6 items, page size 2: 3 requests)', async () => {
    await sim.admin('/_sim/stats', undefined, 'DELETE');
    const all = await collect(client.organizations.list());
    expect(all.map((o) => o.id).sort()).toEqual([...orgs, onPrem].map((o) => o.id).sort());
    expect((await stats()).byKind['GET /v8/Organizations']?.requests).toBe(3);
  });

  it('handles the paging edges: empty, exactly one page, limit+1', async () => {
    await sim.admin('/_sim/stats', undefined, 'DELETE');
    expect(await collect(client.directory.users(orgs[2]!.id))).toEqual([]);
    expect(await collect(client.directory.users(orgs[1]!.id))).toHaveLength(2);
    const three = await collect(newClient({ pageSize: 3 }).directory.users(orgs[0]!.id, { displayName: 'User*' }));
    expect(three).toHaveLength(3);
    const fourOfThree = await collect(newClient({ pageSize: 3 }).directory.users(org.id));
    expect(fourOfThree).toHaveLength(4);
    // empty: 1 request, one page: 1 (no next link), limit-sized page: 1, limit+1: 2.
    expect((await stats()).byKind['GET /v8/Organizations/:organizationId/Users']?.requests).toBe(5);
  });

  it('passes setId back so a listing stays stable while the directory changes', async () => {
    const seen: string[] = [];
    for await (const u of client.directory.users(org.id)) {
      seen.push(u.id);
      if (seen.length === 1) {
        const grown = { ...org, users: [...org.users, ...orgFixture(1, { users: 8 }).users.slice(4)] };
        await sim.admin('/_sim/seed', { organizations: [grown] });
      }
    }
    expect(seen).toEqual(org.users.map((u) => u.id));
    expect(await collect(client.directory.users(org.id))).toHaveLength(8);
  });

  it('looks up users, groups, sites and teams by email, display name (wildcards), URL and msid', async () => {
    expect((await client.directory.userByEmail(org.id, 'ADA@org1.onmicrosoft.com'))?.id).toBe(org.users[0]!.id);
    expect(await client.directory.userByEmail(org.id, 'nobody@org1.onmicrosoft.com')).toBeUndefined();
    expect((await client.directory.usersByDisplayName(org.id, 'A?a*')).map((u) => u.displayName)).toEqual(['Ada Lovelace']);
    expect((await client.directory.userByMsid(org.id, org.users[0]!.msid))?.name).toBe('ada@org1.onmicrosoft.com');
    expect((await client.directory.groupByName(org.id, 'group1@org1.onmicrosoft.com'))?.id).toBe(org.groups[1]!.id);
    expect(await client.directory.groupsByDisplayName(org.id, 'Group*')).toHaveLength(2);
    expect((await client.directory.groupByMsid(org.id, org.groups[0]!.msid))?.id).toBe(org.groups[0]!.id);
    expect((await client.directory.siteByUrl(org.id, 'https://org1.sharepoint.com/sites/s1/'))?.id).toBe(org.sites[1]!.id);
    expect((await client.directory.teamsByDisplayName(org.id, 'Team 1'))[0]?.id).toBe(org.teams[1]!.id);
    expect((await client.directory.teamByMail(org.id, 'team0@org1.onmicrosoft.com'))?.id).toBe(org.teams[0]!.id);
  });
});

describe('RBAC roles', () => {
  const user = (i: number) => ({ type: 'User' as const, user: { id: org.users[i]!.id, displayName: org.users[i]!.displayName, name: org.users[i]!.name, type: 'User' } });
  const group = (i: number) => ({ type: 'Group' as const, group: { id: org.groups[i]!.id, displayName: org.groups[i]!.displayName, name: org.groups[i]!.name, type: 'Office365' } });
  const site = (i: number) => ({ type: 'Site' as const, site: { id: org.sites[i]!.id, url: org.sites[i]!.url, title: org.sites[i]!.title, isCloud: true, isPersonal: false } });
  const team = (i: number) => ({ type: 'Team' as const, team: { id: org.teams[i]!.id, displayName: org.teams[i]!.displayName, description: '', mail: org.teams[i]!.mail } });

  it('creates, reads, updates members granularly, renames and deletes a role', async () => {
    const role = await client.rbac.create(org.id, {
      name: 'Helpdesk',
      description: 'first line',
      roleType: 'SpecificObjects',
      operators: [user(0)],
      selectedItems: [group(0), site(1)],
      excludedItems: [user(2)],
    });
    expect(role).toMatchObject({ organizationId: org.id, name: 'Helpdesk', roleType: 'SpecificObjects' });
    expect((await client.rbac.get(role.id)).name).toBe('Helpdesk');
    expect((await client.rbac.listByOrganization(org.id)).map((r) => r.id)).toEqual([role.id]);
    expect((await client.rbac.list()).map((r) => r.id)).toContain(role.id);

    await client.rbac.addOperators(role.id, [group(1)]);
    await client.rbac.addSelectedItems(role.id, [team(0)]);
    await client.rbac.addExcludedItems(role.id, [user(3)]);
    const operators = await client.rbac.operators(role.id);
    expect(operators.map((o) => o.type).sort()).toEqual(['Group', 'User']);
    expect((await client.rbac.selectedItems(role.id)).map((i) => i.type).sort()).toEqual(['Group', 'Site', 'Team']);
    expect(await client.rbac.excludedItems(role.id)).toHaveLength(2);
    expect((await client.rbac.member(role.id, 'selectedItems', org.teams[0]!.id))?.type).toBe('Team');

    await client.rbac.remove(role.id, 'operators', [operators.find((o) => o.type === 'Group')!.id!]);
    await client.rbac.remove(role.id, 'excludedItems', [org.users[3]!.id]);
    await client.rbac.update({ id: role.id, organizationId: org.id, name: 'Helpdesk L1', description: 'renamed', roleType: 'SpecificObjects' });

    const state = await sim.admin<{ roles: { id: string; name: string; operators: unknown[]; selectedItems: unknown[]; excludedItems: unknown[] }[] }>(
      `/_sim/state?organizationId=${org.id}`,
    );
    expect(state.roles).toEqual([expect.objectContaining({ id: role.id, name: 'Helpdesk L1' })]);
    expect(state.roles[0]!.operators).toHaveLength(1);
    expect(state.roles[0]!.selectedItems).toHaveLength(3);
    expect(state.roles[0]!.excludedItems).toHaveLength(1);

    await client.rbac.delete(role.id);
    expect((await failure(client.rbac.get(role.id))).code).toBe('NOT_FOUND');
    expect((await failure(client.rbac.delete(role.id))).code).toBe('NOT_FOUND');
  });

  it('surfaces the server rules as VALIDATION / CONFLICT / NOT_FOUND with the server message', async () => {
    const base = { description: '', operators: [user(0)], selectedItems: [], excludedItems: [] };
    const noItems = await failure(client.rbac.create(org.id, { ...base, name: 'x', roleType: 'SpecificObjects' }));
    expect(noItems).toMatchObject({ code: 'VALIDATION', vendorCode: 'ParameterValidationFailure', status: 400 });
    expect(noItems.message).toMatch(/require at least one selected item/);

    const both = await failure(client.rbac.create(org.id, { ...base, name: 'x', roleType: 'SpecificObjects', selectedItems: [user(1)], excludedItems: [user(1)] }));
    expect(both.code).toBe('VALIDATION');
    expect(both.message).toMatch(/both selected and excluded/);

    const onPremises = await failure(client.rbac.create(onPrem.id, { ...base, name: 'x', roleType: 'EntireOrganization', operators: [] }));
    expect(onPremises.code).toBe('VALIDATION');

    const ghost = { type: 'User' as const, user: { id: 'no-such-user', displayName: 'x', name: 'x', type: 'User' } };
    const missing = await failure(client.rbac.create(org.id, { ...base, name: 'x', roleType: 'EntireOrganization', operators: [ghost] }));
    expect(missing).toMatchObject({ code: 'NOT_FOUND', vendorCode: 'ResourceNotFound' });

    const role = await client.rbac.create(org.id, { ...base, name: 'Everything', roleType: 'EntireOrganization', excludedItems: [user(1)] });
    expect((await failure(client.rbac.create(org.id, { ...base, name: 'everything', roleType: 'EntireOrganization' }))).code).toBe('CONFLICT');
    expect((await failure(client.rbac.addOperators(role.id, [user(0)]))).code).toBe('CONFLICT');
    expect((await failure(client.rbac.addExcludedItems(role.id, [team(0)]))).code).toBe('CONFLICT');
    expect((await failure(client.rbac.remove(role.id, 'operators', ['nope']))).code).toBe('NOT_FOUND');
    await client.rbac.delete(role.id);
  });
});

describe('errors, retries and auth', () => {
  it('maps 429 to THROTTLED with retryAfterMs and does not retry it', async () => {
    await faults({ organizations: { [orgs[3]!.id]: { throttleRate: 1, retryAfterSeconds: [7, 7] } } });
    await sim.admin('/_sim/stats', undefined, 'DELETE');
    const err = await failure(client.organizations.get(orgs[3]!.id));
    expect(err).toMatchObject({ code: 'THROTTLED', retryAfterMs: 7000, status: 429 });
    expect((await stats()).byStatus['429']).toBe(1);
    expect((await client.organizations.get(orgs[4]!.id)).id).toBe(orgs[4]!.id);
    await sim.admin('/_sim/faults', undefined, 'DELETE');
  });

  it('retries TRANSIENT failures (500, 503, connection resets) and gives up after maxRetries', async () => {
    await faults({ organizations: { [orgs[3]!.id]: { error500Rate: 1 } } });
    await sim.admin('/_sim/stats', undefined, 'DELETE');
    expect((await failure(client.organizations.get(orgs[3]!.id))).code).toBe('TRANSIENT');
    expect((await stats()).byStatus['500']).toBe(4);
    await faults({ organizations: { [orgs[3]!.id]: { resetRate: 1 } } });
    expect((await failure(client.organizations.get(orgs[3]!.id))).code).toBe('TRANSIENT');
    await faults({ organizations: { [orgs[3]!.id]: { error503Rate: 0.5 } } });
    // Half the answers fail; with 12 attempts per call a failure after all of them has odds 1 in 4096.
    const patient = newClient({ maxRetries: 11 });
    for (let i = 0; i < 5; i++) expect((await patient.organizations.get(orgs[3]!.id)).id).toBe(orgs[3]!.id);
    await patient.close();
    await sim.admin('/_sim/faults', undefined, 'DELETE');
  });

  it('answers UNAUTHORIZED for wrong credentials', async () => {
    const bad = newClient({ password: 'wrong' });
    expect(await failure(bad.organizations.serviceInstance())).toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
    await bad.close({ logout: false });
  });

  it('shares one login among concurrent callers', async () => {
    await sim.admin('/_sim/stats', undefined, 'DELETE');
    const fresh = newClient();
    await Promise.all(Array.from({ length: 20 }, () => fresh.organizations.serviceInstance()));
    expect((await stats()).logins).toBe(1);
    await fresh.close();
  });

  it('re-logs in once when the token expires mid-iteration', async () => {
    const fresh = newClient();
    await sim.admin('/_sim/stats', undefined, 'DELETE');
    const seen: string[] = [];
    for await (const o of fresh.organizations.list()) {
      seen.push(o.id);
      if (seen.length === 2) await faults({ expireTokensNow: true });
    }
    expect(seen).toHaveLength(6);
    const s = await stats();
    expect(s.byStatus['401']).toBe(1);
    expect(s.logins + s.refreshes).toBe(2);
    await fresh.close();
  });

  it('refreshes ahead of expiry without a 401', async () => {
    await faults({ tokenLifetimeSeconds: 3 });
    const fresh = newClient({ refreshAheadMs: 2000 });
    await sim.admin('/_sim/stats', undefined, 'DELETE');
    await fresh.organizations.serviceInstance();
    await new Promise((r) => setTimeout(r, 2200));
    await fresh.organizations.serviceInstance();
    const s = await stats();
    expect(s.refreshes).toBe(1);
    expect(s.byStatus['401']).toBeUndefined();
    await faults({ tokenLifetimeSeconds: 3600 });
    await fresh.close();
  });

  it('logs out: the token is revoked on the server and the next call logs in again', async () => {
    const fresh = newClient();
    await fresh.organizations.serviceInstance();
    const before = await stats();
    await fresh.logout();
    expect((await stats()).activeTokens).toBe(before.activeTokens - 1);
    await fresh.organizations.serviceInstance();
    expect((await stats()).logins).toBe(before.logins + 1);
    await fresh.close();
  });

  it('refuses a server whose certificate is not signed by the configured CA bundle (verification stays on)', async () => {
    // The server's leaf certificate alone is not a trust anchor for its own chain.
    const leaf = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/.exec(readFileSync(CA_PATH.replace('ca.pem', 'server.pem'), 'utf8'))![0];
    const wrongCa = newClient({ caBundle: leaf, maxRetries: 0 });
    const err = await failure(wrongCa.organizations.serviceInstance());
    expect(err.code).toBe('PERMANENT');
    expect(err.message).toMatch(/TLS verification failed/);
    await wrongCa.close({ logout: false });
  });
});

describe('restore sessions, events and the change feed', () => {
  interface Created {
    created: { id: string; organizationId: string; state: string; events: number }[];
  }

  it('lists sessions by time window and pages their events', async () => {
    const t0 = new Date(Date.now() - 1000);
    const { created } = await sim.admin<Created>('/_sim/restore-sessions', { count: 3, organizationId: org.id });
    const sessions = await collect(client.restoreSessions.list({ startTimeFrom: t0 }));
    expect(sessions.map((s) => s.id).sort()).toEqual(created.map((c) => c.id).sort());
    expect(sessions.every((s) => s.organization === org.name && s.state === 'Stopped')).toBe(true);
    expect(await collect(client.restoreSessions.list({ startTimeFrom: new Date(Date.now() + 60_000) }))).toEqual([]);
    const events = await collect(client.restoreSessions.events(created[0]!.id));
    expect(events).toHaveLength(created[0]!.events);
    expect(events[0]).toMatchObject({ type: 'None', order: 0, organizationId: org.id });
    expect((await failure(client.restoreSessions.get('99999999-0000-4000-8000-000000000000'))).code).toBe('NOT_FOUND');
  });

  it('follows the change feed: updates, stops and deletes, then resyncs on OutdatedChangeToken', async () => {
    const since = new Date(Date.now() - 500);
    const feed = client.changeFeed(() => ({ startTimeFrom: since }));
    const start = await feed.next(undefined);
    expect(start.kind).toBe('resync');

    const { created } = await sim.admin<Created>('/_sim/restore-sessions', { count: 2, working: true, organizationId: org.id });
    const step1 = await feed.next(start.token, { timeoutSeconds: 2 });
    expect(step1.kind).toBe('changes');
    if (step1.kind !== 'changes') throw new Error('unreachable');
    expect(step1.updated.map((s) => s.id).sort()).toEqual(created.map((c) => c.id).sort());
    expect(step1.updated.every((s) => s.state === 'Working')).toBe(true);

    await sim.admin('/_sim/restore-sessions/finish', {});
    await sim.admin(`/_sim/restore-sessions/${created[0]!.id}`, undefined, 'DELETE');
    const step2 = await feed.next(step1.token);
    if (step2.kind !== 'changes') throw new Error(`expected changes, got ${step2.kind}`);
    expect(step2.updated.map((s) => [s.id, s.state])).toEqual([[created[1]!.id, 'Stopped']]);
    expect(step2.deletedIds).toEqual([created[0]!.id]);

    const quiet = await feed.next(step2.token, { timeoutSeconds: 1 });
    expect(quiet).toMatchObject({ kind: 'changes', updated: [], deletedIds: [] });

    await faults({ changeFeedRetention: 1 });
    await sim.admin('/_sim/restore-sessions', { count: 3, organizationId: org.id });
    const resync = await feed.next(quiet.token);
    expect(resync.kind).toBe('resync');
    if (resync.kind !== 'resync') throw new Error('unreachable');
    expect(resync.sessions.length).toBeGreaterThanOrEqual(4);
    await faults({ changeFeedRetention: 100000 });
  });
});

describe('contract', () => {
  it('every request the client sent and every response the simulator gave conformed to vb365_rest_v8.json', async () => {
    const contract = await sim.admin<Contract>('/_sim/contract');
    expect(contract.requests).toBeGreaterThan(50);
    // The only violation is the deliberate one above: proof that the validator is live and can fail.
    expect(contract.violations).toEqual([expect.objectContaining({ direction: 'request', method: 'GET', path: '/v8/Organizations/not-a-uuid' })]);
  });
});

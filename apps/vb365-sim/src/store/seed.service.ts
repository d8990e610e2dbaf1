import { randomUUID } from 'node:crypto';
import { makeSession } from '../audit/session-factory';
import { Rng, pick, rng, uuidFrom } from './random';
import { GenerateSpec, OrganizationSeed, SeedInput } from './seed.schema';
import { SimStore } from './sim-store';
import { SimOrganization } from './sim.types';

/** VB365 user and site ids are opaque strings, often two GUIDs concatenated (vb365.md). */
const opaqueId = (r: Rng | undefined): string => {
  const u = (): string => (r ? uuidFrom(r) : randomUUID()).replace(/-/g, '');
  return `${u()}${u()}`;
};

export function buildOrganization(seed: OrganizationSeed, r?: Rng): SimOrganization {
  const id = (seed.id ?? (r ? uuidFrom(r) : randomUUID())).toLowerCase();
  const officeName = seed.officeName ?? `${seed.name.toLowerCase().replace(/[^a-z0-9]/g, '')}.onmicrosoft.com`;
  const org: SimOrganization = {
    id,
    name: seed.name,
    officeName,
    msid: seed.msid.toLowerCase(),
    type: seed.type,
    region: seed.region,
    isExchangeOnline: seed.isExchangeOnline,
    isSharePointOnline: seed.isSharePointOnline,
    isTeamsOnline: seed.isTeamsOnline,
    useApplicationOnlyAuth: seed.useApplicationOnlyAuth,
    users: seed.users.map((u) => ({ ...u, id: u.id ?? opaqueId(r), msid: u.msid?.toLowerCase() ?? null })),
    groups: seed.groups.map((g) => ({ ...g, id: g.id ?? opaqueId(r), name: g.name ?? g.displayName, msid: g.msid?.toLowerCase() ?? null })),
    sites: seed.sites.map((s) => ({ ...s, id: s.id ?? opaqueId(r) })),
    teams: seed.teams.map((t) => ({
      ...t,
      id: (t.id ?? (r ? uuidFrom(r) : randomUUID())).toLowerCase(),
      mail: t.mail ?? `${t.displayName.toLowerCase().replace(/[^a-z0-9]/g, '')}@${officeName}`,
    })),
    usersById: new Map(),
    groupsById: new Map(),
    sitesById: new Map(),
    teamsById: new Map(),
  };
  for (const u of org.users) org.usersById.set(u.id, u);
  for (const g of org.groups) org.groupsById.set(g.id, g);
  for (const s of org.sites) org.sitesById.set(s.id, s);
  for (const t of org.teams) org.teamsById.set(t.id, t);
  return org;
}

const FIRST = ['Ada', 'Alan', 'Grace', 'Linus', 'Margaret', 'Ken', 'Barbara', 'Dennis', 'Frances', 'Edsger'];
const LAST = ['Lovelace', 'Turing', 'Hopper', 'Torvalds', 'Hamilton', 'Thompson', 'Liskov', 'Ritchie', 'Allen', 'Dijkstra'];

function generatedOrganization(r: Rng, spec: GenerateSpec, index: number): OrganizationSeed {
  const name = `Customer ${String(index + 1).padStart(5, '0')}`;
  const domain = `customer${String(index + 1).padStart(5, '0')}.onmicrosoft.com`;
  const siteRoot = `https://customer${String(index + 1).padStart(5, '0')}.sharepoint.com`;
  return {
    id: uuidFrom(r),
    msid: spec.msids[index] ?? uuidFrom(r),
    name,
    officeName: domain,
    type: 'Office365',
    region: 'Worldwide',
    useApplicationOnlyAuth: true,
    isExchangeOnline: true,
    isSharePointOnline: true,
    isTeamsOnline: true,
    users: Array.from({ length: spec.usersPerOrganization }, (_, i) => {
      const first = FIRST[i % FIRST.length]!;
      const last = LAST[Math.floor(i / FIRST.length) % LAST.length]!;
      const suffix = i >= FIRST.length * LAST.length ? String(i) : '';
      return {
        displayName: `${first} ${last}${suffix}`,
        name: `${first}.${last}${suffix}@${domain}`.toLowerCase(),
        type: i % 17 === 16 ? ('Shared' as const) : ('User' as const),
        locationType: 'Cloud' as const,
        msid: uuidFrom(r),
      };
    }),
    groups: Array.from({ length: spec.groupsPerOrganization }, (_, i) => ({
      displayName: `${pick(r, ['Finance', 'Sales', 'Legal', 'Helpdesk', 'Engineering'])} ${i + 1}`,
      name: `group${i + 1}@${domain}`,
      type: i % 2 === 0 ? ('Office365' as const) : ('Security' as const),
      locationType: 'Cloud' as const,
      msid: uuidFrom(r),
    })),
    sites: Array.from({ length: spec.sitesPerOrganization }, (_, i) => ({
      url: i === 0 ? siteRoot : `${siteRoot}/sites/site${i}`,
      parentUrl: i === 0 ? '' : siteRoot,
      title: i === 0 ? 'Communication site' : `Site ${i}`,
      isCloud: true,
      isPersonal: false,
    })),
    teams: Array.from({ length: spec.teamsPerOrganization }, (_, i) => ({
      id: uuidFrom(r),
      displayName: `Team ${i + 1}`,
      description: `Generated team ${i + 1}`,
      mail: `team${i + 1}@${domain}`,
    })),
  };
}

export interface SeedResult {
  organizations: { id: string; msid: string; name: string }[];
  counts: { organizations: number; restoreSessions: number; restoreEvents: number };
}

/** Applies a seed: explicit organizations upsert by id; `generate` adds a deterministic population. */
export function applySeed(store: SimStore, input: SeedInput, adminName: string): SeedResult {
  if (input.serviceInstance) store.serviceInstance = { ...store.serviceInstance, ...input.serviceInstance };
  if (input.restorePortal) store.restorePortal = { ...store.restorePortal, ...input.restorePortal };
  const created: SimOrganization[] = [];
  for (const seed of input.organizations) {
    const org = buildOrganization(seed);
    store.addOrganization(org);
    created.push(org);
  }
  const spec = input.generate;
  if (spec) {
    const r = rng(spec.seed);
    const generated: SimOrganization[] = [];
    for (let i = 0; i < spec.organizations; i++) {
      const org = buildOrganization(generatedOrganization(r, spec, i), r);
      store.addOrganization(org);
      generated.push(org);
    }
    if (generated.length <= 100) created.push(...generated);
    const now = Date.now();
    const span = spec.historyDays * 86_400_000;
    const pool = generated.length ? generated : [...store.organizations.values()];
    if (pool.length) {
      const step = span / Math.max(1, spec.restoreSessions);
      for (let i = 0; i < spec.restoreSessions; i++) {
        const org = pool[Math.floor(r() * pool.length)]!;
        const creationTime = Math.floor(now - span + i * step);
        store.addSession(makeSession(r, org, [], { creationTime, working: false, eventsPerSession: spec.eventsPerSession, portalShare: 0.6, adminName }));
      }
    }
  }
  return {
    organizations: created.map((o) => ({ id: o.id, msid: o.msid, name: o.name })),
    counts: { organizations: store.organizations.size, restoreSessions: store.sessions.length, restoreEvents: store.eventCount },
  };
}

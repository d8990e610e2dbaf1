import { z } from 'zod/v4';
import { Vb365Error } from './vb365.errors';
import {
  EventsPage,
  OAuthTokenResponse,
  Page,
  RESTEvent,
  RESTGroup,
  RESTRbacGroup,
  RESTRbacItem,
  RESTRbacOperator,
  RESTRbacRole,
  RESTRbacSite,
  RESTRbacTeam,
  RESTRbacUser,
  RESTRestorePortalSettings,
  RESTRestoreSession,
  RESTRestoreSessionEvent,
  RESTServiceInstance,
  RESTSite,
  RESTTeam,
  RESTUser,
  RestOrganization,
} from './vb365.types';

/*
 * Lenient boundary parsing (vb365.md "Conventions"): servers send null where the schema says required and enum
 * values the spec does not list. Only ids are insisted on; everything else becomes null when absent, and enums
 * are kept as strings.
 */
const str = z.string().nullish().transform((v) => v ?? null);
const bool = z.boolean().nullish().transform((v) => v ?? null);
const num = z.number().nullish().transform((v) => v ?? null);
const id = z.union([z.string(), z.number().transform(String)]);

const token = z.object({
  access_token: z.string().min(1),
  refresh_token: str,
  token_type: z.string().nullish().transform((v) => v ?? 'bearer'),
  expires_in: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).nullish().transform((v) => v ?? 3600),
  userName: str,
  '.issued': str,
  '.expires': str,
});

const serviceInstance = z.object({ installationId: str, version: str });
const portal = z.object({ isEnabled: bool.transform((v) => v ?? false), applicationId: str, restorePortalUri: str, msalAuthorityUri: str });

const organization = z.object({
  id,
  name: str,
  officeName: str,
  msid: str,
  type: str,
  region: str,
  isExchangeOnline: bool,
  isSharePointOnline: bool,
  isTeamsOnline: bool,
  exchangeOnlineSettings: z.object({ useApplicationOnlyAuth: bool }).nullish().transform((v) => v ?? null),
});

const user = z.object({ id, displayName: str, name: str, type: str, locationType: str, msid: str });
const group = z.object({ id, displayName: str, name: str, type: str, msid: str });
const site = z.object({ id, url: str, parentUrl: str, title: str, isCloud: bool, isPersonal: bool });
const team = z.object({ id, displayName: str, description: str, mail: str });
const role = z.object({ id, organizationId: str, name: str, description: str, roleType: str });

const rbacUser = z.object({ id, displayName: z.string().nullish(), name: z.string().nullish(), type: z.string().nullish() }).transform(
  (u): RESTRbacUser => ({ id: u.id, displayName: u.displayName ?? '', name: u.name ?? '', type: u.type ?? 'User' }),
);
const rbacGroup = z.object({ id, displayName: z.string().nullish(), name: z.string().nullish(), type: z.string().nullish() }).transform(
  (g): RESTRbacGroup => ({ id: g.id, displayName: g.displayName ?? '', name: g.name ?? '', type: g.type ?? 'Unknown' }),
);
const rbacSite = z
  .object({ id, url: z.string().nullish(), title: z.string().nullish(), parentUrl: z.string().nullish(), isCloud: z.boolean().nullish(), isPersonal: z.boolean().nullish() })
  .transform((s): RESTRbacSite => ({ id: s.id, url: s.url ?? '', title: s.title ?? '', parentUrl: s.parentUrl ?? undefined, isCloud: s.isCloud ?? true, isPersonal: s.isPersonal ?? false }));
const rbacTeam = z
  .object({ id, displayName: z.string().nullish(), description: z.string().nullish(), mail: z.string().nullish() })
  .transform((t): RESTRbacTeam => ({ id: t.id, displayName: t.displayName ?? '', description: t.description ?? '', mail: t.mail ?? '' }));

const member = z.object({
  id: id.nullish(),
  type: z.string(),
  user: rbacUser.nullish(),
  group: rbacGroup.nullish(),
  site: rbacSite.nullish(),
  team: rbacTeam.nullish(),
});
type Member = z.infer<typeof member>;

/** Member types the product does not know are dropped rather than guessed. */
function toItem(m: Member): RESTRbacItem | undefined {
  const mid = m.id ?? undefined;
  if (m.type === 'User' && m.user) return { id: mid ?? m.user.id, type: 'User', user: m.user };
  if (m.type === 'Group' && m.group) return { id: mid ?? m.group.id, type: 'Group', group: m.group };
  if (m.type === 'Site' && m.site) return { id: mid ?? m.site.id, type: 'Site', site: m.site };
  if (m.type === 'Team' && m.team) return { id: mid ?? m.team.id, type: 'Team', team: m.team };
  return undefined;
}

const session = z.object({
  id,
  name: str,
  organization: str,
  type: str,
  creationTime: str,
  endTime: str,
  state: str,
  result: str,
  initiatedBy: str,
  details: str,
  scopeName: str,
  clientHost: str,
  reason: str,
  eTag: num,
});

const sessionEvent = z.object({
  id,
  type: str,
  status: str,
  startTime: str,
  endTime: str,
  duration: str,
  title: str,
  message: str,
  order: num,
  itemName: str,
  itemType: str,
  itemSizeBytes: num,
  source: str,
  target: str,
  organizationId: str,
  userId: str,
  groupId: str,
  siteId: str,
  teamId: str,
});

const changeEvent = z.object({ eventType: z.string(), id: z.string().nullish().transform((v) => v ?? null), eTag: num, organizationId: str });
const links = z
  .record(z.string(), z.object({ href: z.string().nullish() }).nullish())
  .nullish()
  .transform((l) => ({ next: l?.next?.href ?? undefined, self: l?.self?.href ?? undefined }));

function parse<T>(schema: z.ZodType<T, unknown>, body: unknown, what: string): T {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  throw new Vb365Error('PERMANENT', `VB365 answered an unexpected ${what}: ${r.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, {
    hint: 'The server version may not match REST v8; check GET /v8/ServiceInstance.',
  });
}

/**
 * Schemas built from an item schema, once per item schema: zod v4 compiles an object's parser on its first use, so a
 * schema built per response would be compiled per response.
 */
function derived<T>(cache: WeakMap<z.ZodType, z.ZodType>, item: z.ZodType<T, unknown>, build: () => z.ZodType): z.ZodType {
  let s = cache.get(item);
  if (!s) cache.set(item, (s = build()));
  return s;
}
const arrays = new WeakMap<z.ZodType, z.ZodType>();
const pages = new WeakMap<z.ZodType, z.ZodType>();
const arrayOf = <T>(item: z.ZodType<T, unknown>): z.ZodType<T[], unknown> => derived(arrays, item, () => z.array(item)) as z.ZodType<T[], unknown>;
const pageOf = <T>(item: z.ZodType<T, unknown>) =>
  derived(pages, item, () => z.object({ offset: num, limit: num, setId: str, results: z.array(item).nullish(), _links: links })) as z.ZodType<
    { offset: number | null; limit: number | null; setId: string | null; results?: T[] | null; _links: { next?: string; self?: string } },
    unknown
  >;

/** A page object, or a plain array (v7 servers return Organizations as an array: vb365.md). */
export function parsePage<T>(item: z.ZodType<T, unknown>, body: unknown, what: string): Page<T> {
  if (Array.isArray(body)) {
    return { offset: 0, limit: body.length, setId: null, results: parse(arrayOf(item), body, what), links: {} };
  }
  const p = parse(pageOf(item), body, what);
  const results = p.results ?? [];
  return { offset: p.offset ?? 0, limit: p.limit ?? results.length, setId: p.setId, results, links: p._links };
}

export const schemas = { organization, user, group, site, team, session, sessionEvent };

export const parseToken = (b: unknown): OAuthTokenResponse => parse(token, b, 'token response');
export const parseServiceInstance = (b: unknown): RESTServiceInstance => parse(serviceInstance, b, 'service instance');
export const parsePortalSettings = (b: unknown): RESTRestorePortalSettings => parse(portal, b, 'Restore Portal settings');
export const parseOrganization = (b: unknown): RestOrganization => parse(organization, b, 'organization');
export const parseRole = (b: unknown): RESTRbacRole => parse(role, b, 'RBAC role');
const roles = z.array(role);
const members = z.array(member);
const eventsPage = z.object({ nextChangeToken: z.string(), results: z.array(changeEvent).nullish() });
export const parseRoles = (b: unknown): RESTRbacRole[] => parse(roles, b, 'RBAC role list');
export const parseSession = (b: unknown): RESTRestoreSession => parse(session, b, 'restore session');
export const parseOperators = (b: unknown): RESTRbacOperator[] =>
  parse(members, b, 'operator list')
    .map(toItem)
    .filter((m): m is RESTRbacOperator => m !== undefined && (m.type === 'User' || m.type === 'Group'));
export const parseItems = (b: unknown): RESTRbacItem[] =>
  parse(members, b, 'item list')
    .map(toItem)
    .filter((m): m is RESTRbacItem => m !== undefined);
export const parseMember = (b: unknown): RESTRbacItem | undefined => toItem(parse(member, b, 'role member'));
export const parseEvents = (b: unknown): EventsPage => {
  const p = parse(eventsPage, b, 'change feed page');
  return { nextChangeToken: p.nextChangeToken, results: (p.results ?? []) as RESTEvent[] };
};

export type { RESTUser, RESTGroup, RESTSite, RESTTeam, RESTRestoreSessionEvent };

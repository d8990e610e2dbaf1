import { Rng, pick, uuidFrom } from '../store/random';
import { EventType, SessionType, SimOrganization, SimRestoreEvent, SimRestoreSession, SimRole } from '../store/sim.types';

const SESSION_TYPES: readonly SessionType[] = ['Vex', 'Veod', 'Vesp', 'Vet'];
const ACTIONS: readonly EventType[] = ['View', 'Save', 'Export', 'Send', 'Restore'];
const ITEM_TYPES: Record<SessionType, string> = { Vex: 'Mail', Veod: 'Document', Vesp: 'ListItem', Vet: 'ChannelPost' };
const TYPE_TITLES: Record<SessionType, string> = {
  Vex: 'Exchange',
  Veod: 'OneDrive for Business',
  Vesp: 'SharePoint',
  Vet: 'Microsoft Teams',
};

export interface SessionShape {
  creationTime: number;
  working: boolean;
  eventsPerSession: number;
  /** Probability that a session is a Restore Portal session started by a restore operator. */
  portalShare: number;
  adminName: string;
}

function makeEvent(r: Rng, session: SimRestoreSession, org: SimOrganization, order: number, at: number, running: boolean): SimRestoreEvent {
  const user = org.users.length ? pick(r, org.users) : undefined;
  const site = session.type === 'Vesp' && org.sites.length ? pick(r, org.sites) : undefined;
  const team = session.type === 'Vet' && org.teams.length ? pick(r, org.teams) : undefined;
  const type: EventType = order === 0 ? 'None' : pick(r, ACTIONS);
  const status = running ? 'Running' : r() < 0.9 ? 'Success' : r() < 0.5 ? 'Warning' : 'Failed';
  const itemName = order === 0 ? '' : `${pick(r, ['Quarterly report', 'Invoice', 'Budget', 'Meeting notes', 'Contract'])} ${order}`;
  return {
    id: uuidFrom(r),
    type,
    status,
    startTime: at,
    endTime: running ? 0 : at + Math.floor(r() * 30_000),
    title: order === 0 ? `${TYPE_TITLES[session.type]} restore session started` : `${type} ${ITEM_TYPES[session.type]}`,
    message: order === 0 ? 'Session started.' : `${type} of '${itemName}' completed with status ${status}.`,
    order,
    itemName,
    itemType: order === 0 ? '' : ITEM_TYPES[session.type],
    itemSizeBytes: order === 0 ? 0 : Math.floor(r() * 5_000_000),
    source: user ? user.name : org.officeName,
    target: type === 'Restore' ? 'Original location' : type === 'Save' || type === 'Export' ? 'Local file' : '',
    userId: user ? user.id : null,
    siteId: site ? site.id : null,
    teamId: team ? team.id : null,
  };
}

/** One restore session with its events; Restore Portal sessions are initiated by an operator of a role. */
export function makeSession(r: Rng, org: SimOrganization, roles: readonly SimRole[], shape: SessionShape): SimRestoreSession {
  const type = pick(r, SESSION_TYPES);
  const portal = r() < shape.portalShare;
  const role = portal && roles.length ? pick(r, roles) : undefined;
  const operator = role?.operators.find((o) => o.type === 'User');
  const portalUser = operator?.type === 'User' ? operator.user.name : org.users.length ? pick(r, org.users).name : `operator@${org.officeName}`;
  const session: SimRestoreSession = {
    id: uuidFrom(r),
    name: `${TYPE_TITLES[type]} restore ${new Date(shape.creationTime).toISOString()}`,
    organizationId: org.id,
    organizationName: org.name,
    type,
    creationTime: shape.creationTime,
    endTime: 0,
    state: 'Working',
    result: 'Success',
    initiatedBy: portal ? portalUser : shape.adminName,
    details: '',
    scopeName: portal ? role?.name ?? 'Restore Portal' : '',
    clientHost: portal ? 'Restore Portal' : 'VB365-CONSOLE',
    reason: portal ? 'Self-service restore' : pick(r, ['Ticket #4711', 'User request', 'Legal hold review']),
    eTag: 1,
    events: [],
  };
  session.events.push(makeEvent(r, session, org, 0, shape.creationTime, false));
  if (shape.working) {
    session.events.push(makeEvent(r, session, org, 1, shape.creationTime + 1000, true));
    return session;
  }
  for (let i = 1; i < shape.eventsPerSession; i++) session.events.push(makeEvent(r, session, org, i, shape.creationTime + i * 1000, false));
  finishSession(r, session, shape.creationTime + shape.eventsPerSession * 1000 + 5000);
  return session;
}

/** Completes a Working session: running events end, result is the worst event status. */
export function finishSession(r: Rng, session: SimRestoreSession, at: number, org?: SimOrganization, extraEvents = 0): void {
  for (const e of session.events) {
    if (e.status === 'Running') {
      e.status = 'Success';
      e.endTime = at;
    }
  }
  if (org) {
    const base = session.events.length;
    for (let i = 0; i < extraEvents; i++) session.events.push(makeEvent(r, session, org, base + i, at - (extraEvents - i) * 100, false));
  }
  session.state = 'Stopped';
  session.endTime = Math.max(at, session.creationTime + 1);
  const statuses = session.events.map((e) => e.status);
  session.result = statuses.includes('Failed') ? 'Failed' : statuses.includes('Warning') ? 'Warning' : 'Success';
  session.details = `${session.events.length - 1} item operation(s).`;
}

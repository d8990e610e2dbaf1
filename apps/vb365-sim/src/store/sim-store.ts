import { randomUUID } from 'node:crypto';
import { ChangeFeed } from '../audit/change-feed';
import { RestorePortalSettings, ServiceInstance, SimOrganization, SimRestoreSession, SimRole } from './sim.types';

interface ResultSet {
  organizationId: string;
  kind: string;
  ids: string[];
  createdAt: number;
}

const MAX_RESULT_SETS = 2000;

/** Everything one simulated VB365 server knows. Reset by POST /_sim/reset. */
export class SimStore {
  readonly organizations = new Map<string, SimOrganization>();
  private readonly byMsid = new Map<string, SimOrganization>();
  readonly roles = new Map<string, SimRole>();
  /** Sessions in creation order (the generator only appends with increasing creationTime). */
  sessions: SimRestoreSession[] = [];
  readonly sessionsById = new Map<string, SimRestoreSession>();
  eventCount = 0;
  readonly changes: ChangeFeed;
  private readonly resultSets = new Map<string, ResultSet>();

  serviceInstance: ServiceInstance = { installationId: randomUUID(), version: '8.1.0.305' };
  restorePortal: RestorePortalSettings = {
    isEnabled: false,
    applicationId: '00000000-0000-0000-0000-000000000000',
    restorePortalUri: '',
    msalAuthorityUri: 'https://login.microsoftonline.com/',
  };

  constructor(changeRetention: number) {
    this.changes = new ChangeFeed(changeRetention);
  }

  clear(): void {
    this.organizations.clear();
    this.byMsid.clear();
    this.roles.clear();
    this.sessions = [];
    this.sessionsById.clear();
    this.eventCount = 0;
    this.resultSets.clear();
    this.changes.reset();
  }

  addOrganization(org: SimOrganization): void {
    const previous = this.organizations.get(org.id);
    if (previous) this.byMsid.delete(previous.msid.toLowerCase());
    this.organizations.set(org.id, org);
    this.byMsid.set(org.msid.toLowerCase(), org);
  }

  organizationByMsid(msid: string): SimOrganization | undefined {
    return this.byMsid.get(msid.toLowerCase());
  }

  organization(id: string): SimOrganization | undefined {
    return this.organizations.get(id.toLowerCase()) ?? this.organizations.get(id);
  }

  addSession(session: SimRestoreSession): void {
    const last = this.sessions[this.sessions.length - 1];
    this.sessions.push(session);
    if (last && last.creationTime > session.creationTime) this.sessions.sort((a, b) => a.creationTime - b.creationTime);
    this.sessionsById.set(session.id, session);
    this.eventCount += session.events.length;
  }

  deleteSession(id: string): boolean {
    const session = this.sessionsById.get(id);
    if (!session) return false;
    this.sessionsById.delete(id);
    this.sessions = this.sessions.filter((s) => s !== session);
    this.eventCount -= session.events.length;
    this.changes.append({ eventType: 'RestoreSessionDelete', id });
    return true;
  }

  /** Records that a session changed: bumps its eTag and announces it on the change feed. */
  touchSession(session: SimRestoreSession): void {
    session.eTag += 1;
    this.changes.append({ eventType: 'RestoreSessionUpdate', id: session.id, eTag: session.eTag, organizationId: session.organizationId });
  }

  /**
   * VB365 caches a filtered directory listing under a setId so later pages are stable even if the directory
   * changes in between (vb365.md "Paging"). We snapshot the ids.
   */
  createResultSet(organizationId: string, kind: string, ids: string[]): string {
    if (this.resultSets.size >= MAX_RESULT_SETS) {
      const oldest = this.resultSets.keys().next().value;
      if (oldest !== undefined) this.resultSets.delete(oldest);
    }
    const setId = randomUUID();
    this.resultSets.set(setId, { organizationId, kind, ids, createdAt: Date.now() });
    return setId;
  }

  resultSet(setId: string, organizationId: string, kind: string): string[] | undefined {
    const set = this.resultSets.get(setId.toLowerCase());
    return set && set.organizationId === organizationId && set.kind === kind ? set.ids : undefined;
  }
}

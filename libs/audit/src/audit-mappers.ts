import type { DirectoryAudit } from '@app/entra';
import type { RESTRestoreSession, RESTRestoreSessionEvent } from '@app/vb365';
import { AuditEventInput } from './audit-event';

const dateOr = (s: string | null | undefined, fallback: Date): Date => {
  const d = s ? new Date(s) : fallback;
  return Number.isNaN(d.getTime()) ? fallback : d;
};

/** A restore session is itself an audit record: who opened a restore session on which organization, and its outcome. */
export function sessionToAuditEvent(tenantId: string, s: RESTRestoreSession, now = new Date()): AuditEventInput {
  return {
    tenantId,
    source: 'vb365.session',
    externalId: s.id,
    occurredAt: dateOr(s.creationTime, now),
    actor: s.initiatedBy,
    action: `session.${(s.type ?? 'unknown').toLowerCase()}`,
    itemType: 'restoreSession',
    itemName: s.name,
    // A Working session has no final result yet; the row is updated when its eTag changes.
    result: s.state === 'Working' ? 'Running' : s.result,
    version: s.eTag ?? 0,
    details: {
      organization: s.organization,
      state: s.state,
      endTime: s.endTime,
      scopeName: s.scopeName,
      clientHost: s.clientHost,
      reason: s.reason,
      details: s.details,
    },
  };
}

/**
 * Events of type `None` are bookkeeping (vb365.md "Audit data"): undefined means "not an audit record". The
 * actor is the session's initiator: events do not name who acted.
 */
export function sessionEventToAuditEvent(tenantId: string, session: RESTRestoreSession, e: RESTRestoreSessionEvent): AuditEventInput | undefined {
  if (!e.type || e.type === 'None') return undefined;
  return {
    tenantId,
    source: 'vb365.event',
    externalId: e.id,
    occurredAt: dateOr(e.startTime, dateOr(session.creationTime, new Date(0))),
    actor: session.initiatedBy,
    action: e.type.toLowerCase(),
    itemType: e.itemType,
    itemName: e.itemName,
    result: e.status,
    version: 0,
    details: {
      sessionId: session.id,
      title: e.title,
      message: e.message,
      endTime: e.endTime,
      duration: e.duration,
      itemSizeBytes: e.itemSizeBytes,
      source: e.source,
      target: e.target,
      userId: e.userId,
      groupId: e.groupId,
      siteId: e.siteId,
      teamId: e.teamId,
    },
  };
}

export function directoryAuditToAuditEvent(tenantId: string, a: DirectoryAudit): AuditEventInput {
  const actor = a.initiatedBy?.user?.userPrincipalName ?? a.initiatedBy?.user?.displayName ?? a.initiatedBy?.app?.displayName ?? a.initiatedBy?.app?.appId ?? null;
  const target = a.targetResources[0];
  return {
    tenantId,
    source: 'entra.directory',
    externalId: a.id,
    occurredAt: new Date(a.activityDateTime),
    actor,
    action: a.activityDisplayName,
    itemType: target?.type ?? null,
    itemName: target?.displayName ?? null,
    result: a.result ?? null,
    version: 0,
    details: { category: a.category, operationType: a.operationType, correlationId: a.correlationId, targetResources: a.targetResources, initiatedBy: a.initiatedBy },
  };
}

/** Directory audit activities that change the consent of the two apps we care about (issue 7). */
export const CONSENT_ACTIVITIES = new Set([
  'Add service principal',
  'Remove service principal',
  'Update service principal',
  'Add delegated permission grant',
  'Update delegated permission grant',
  'Remove delegated permission grant',
  'Consent to application',
  'Revoke consent',
  'Add app role assignment to service principal',
  'Remove app role assignment from service principal',
]);

/** Activities that take consent away: seeing one makes the sync check consent state in Graph at once. */
export const REVOKING_ACTIVITIES = new Set(['Remove service principal', 'Remove delegated permission grant', 'Revoke consent', 'Remove app role assignment from service principal']);

/** Whether a directory audit concerns one of the given apps (by app id, service principal id or display name). */
export function concernsApps(a: DirectoryAudit, ids: ReadonlySet<string>): boolean {
  if (!CONSENT_ACTIVITIES.has(a.activityDisplayName)) return false;
  return a.targetResources.some((t) => (t.id && ids.has(t.id.toLowerCase())) || (t.displayName && ids.has(t.displayName.toLowerCase())));
}

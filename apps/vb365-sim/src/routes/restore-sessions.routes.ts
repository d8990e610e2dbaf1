import { FastifyInstance } from 'fastify';
import { Query, bool, isUuid, oneOf, page, pageRequest, time } from '../http/paging';
import { RestError, invalid, notFound } from '../http/rest-error';
import { SimStore } from '../store/sim-store';
import { SimRestoreEvent, SimRestoreSession } from '../store/sim.types';

const iso = (ms: number): string => new Date(ms).toISOString();

function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

export function renderSession(s: SimRestoreSession): Record<string, unknown> {
  return {
    id: s.id,
    name: s.name,
    organization: s.organizationName,
    type: s.type,
    creationTime: iso(s.creationTime),
    endTime: s.endTime ? iso(s.endTime) : null,
    state: s.state,
    result: s.result,
    initiatedBy: s.initiatedBy,
    details: s.details,
    scopeName: s.scopeName,
    clientHost: s.clientHost,
    reason: s.reason,
    eTag: s.eTag,
    _links: { self: { href: `/v8/RestoreSessions/${s.id}` }, events: { href: `/v8/RestoreSessions/${s.id}/Events` } },
  };
}

const renderEvent = (s: SimRestoreSession) => (e: SimRestoreEvent) => ({
  id: e.id,
  type: e.type,
  status: e.status,
  startTime: iso(e.startTime),
  endTime: e.endTime ? iso(e.endTime) : null,
  duration: duration((e.endTime || Date.now()) - e.startTime),
  title: e.title,
  message: e.message,
  order: e.order,
  itemName: e.itemName,
  itemType: e.itemType,
  itemSizeBytes: e.itemSizeBytes,
  source: e.source,
  target: e.target,
  organizationId: s.organizationId,
  userId: e.userId,
  groupId: null,
  siteId: e.siteId,
  teamId: e.teamId,
  _links: { self: { href: `/v8/RestoreSessions/${s.id}/Events/${e.id}` }, restoreSession: { href: `/v8/RestoreSessions/${s.id}` } },
});

function requireSession(store: SimStore, id: string): SimRestoreSession {
  if (!isUuid(id)) throw invalid(`The value '${id}' is not valid for restoreSessionId.`);
  const s = store.sessionsById.get(id.toLowerCase());
  if (!s) throw notFound(`Restore session with ID '${id}'`);
  return s;
}

/** Restore sessions (no organization filter in v8: vb365.md), their events, and the /v8/Events change feed. */
export function registerRestoreSessionRoutes(app: FastifyInstance, store: SimStore, maxLongPollSeconds: number): void {
  app.get('/v8/RestoreSessions', async (request) => {
    const query = request.query as Query;
    const req = pageRequest(query);
    const startFrom = time(query, 'startTimeFrom');
    const startTo = time(query, 'startTimeTo');
    const endFrom = time(query, 'endTimeFrom');
    const endTo = time(query, 'endTimeTo');
    const orderBy = oneOf(query, 'orderBy', ['CreationTime', 'EndTime'] as const) ?? 'CreationTime';
    const asc = bool(query, 'orderAsc') ?? false;
    const hasEndFilter = endFrom !== undefined || endTo !== undefined;
    let items = store.sessions.filter(
      (s) =>
        (startFrom === undefined || s.creationTime >= startFrom) &&
        (startTo === undefined || s.creationTime <= startTo) &&
        (!hasEndFilter || (s.endTime > 0 && (endFrom === undefined || s.endTime >= endFrom) && (endTo === undefined || s.endTime <= endTo))),
    );
    if (orderBy === 'EndTime') {
      // Working sessions have no end time yet: they sort as "latest".
      const end = (s: SimRestoreSession): number => s.endTime || Number.MAX_SAFE_INTEGER;
      items = items.sort((a, b) => (asc ? end(a) - end(b) : end(b) - end(a)));
    } else if (!asc) {
      items = items.reverse();
    }
    const extra = {
      startTimeFrom: query.startTimeFrom,
      startTimeTo: query.startTimeTo,
      endTimeFrom: query.endTimeFrom,
      endTimeTo: query.endTimeTo,
      orderBy: query.orderBy,
      orderAsc: query.orderAsc,
    };
    return page('/v8/RestoreSessions', items, req, renderSession, extra);
  });

  app.get('/v8/RestoreSessions/:restoreSessionId', async (request) =>
    renderSession(requireSession(store, (request.params as { restoreSessionId: string }).restoreSessionId)),
  );

  app.get('/v8/RestoreSessions/:restoreSessionId/Events', async (request) => {
    const s = requireSession(store, (request.params as { restoreSessionId: string }).restoreSessionId);
    return page(`/v8/RestoreSessions/${s.id}/Events`, s.events, pageRequest(request.query as Query), renderEvent(s));
  });

  app.get('/v8/RestoreSessions/:restoreSessionId/Events/:eventId', async (request) => {
    const { restoreSessionId, eventId } = request.params as { restoreSessionId: string; eventId: string };
    const s = requireSession(store, restoreSessionId);
    const e = s.events.find((x) => x.id === eventId.toLowerCase());
    if (!e) throw notFound(`Restore session event with ID '${eventId}'`);
    return renderEvent(s)(e);
  });

  app.get('/v8/Events', async (request) => {
    const query = request.query as Query;
    const from = query.from;
    if (!from) throw invalid('The from parameter is required (a change token or "latest").');
    const limit = query.limit === undefined ? 30 : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw invalid('Limit must be between 1 and 10000.');
    const timeout = query.timeoutSeconds === undefined ? 0 : Number(query.timeoutSeconds);
    if (!Number.isInteger(timeout) || timeout < 0) throw invalid('timeoutSeconds must be a non-negative integer.');
    let position = store.changes.positionOf(from);
    if (position === undefined) {
      throw new RestError(400, 'The change token is outdated or unknown. Resynchronize by listing the objects.', 'OutdatedChangeToken');
    }
    let read = store.changes.readAfter(position, limit);
    if (read.events.length === 0 && timeout > 0) {
      await store.changes.waitForChange(Math.min(timeout, maxLongPollSeconds) * 1000);
      position = store.changes.positionOf(read.nextToken);
      if (position === undefined) throw new RestError(400, 'The change token is outdated. Resynchronize by listing the objects.', 'OutdatedChangeToken');
      read = store.changes.readAfter(position, limit);
    }
    return {
      nextChangeToken: read.nextToken,
      limit,
      results: read.events,
      _links: { self: { href: `/v8/Events?from=${encodeURIComponent(from)}&limit=${limit}` }, next: { href: `/v8/Events?from=${encodeURIComponent(read.nextToken)}&limit=${limit}` } },
    };
  });
}

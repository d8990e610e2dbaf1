import { Vb365Api } from './vb365-api';
import { parseEvents, parseSession, schemas } from './vb365.parse';
import { EventsPage, RESTRestoreSession, RESTRestoreSessionEvent } from './vb365.types';

export interface TimeWindow {
  startTimeFrom?: Date;
  startTimeTo?: Date;
  endTimeFrom?: Date;
  endTimeTo?: Date;
  orderBy?: 'CreationTime' | 'EndTime';
  orderAsc?: boolean;
}

/** Audit data: restore sessions (no organization filter in v8: match `organization` by name) and their events. */
export class RestoreSessionsService {
  constructor(private readonly api: Vb365Api) {}

  list(window: TimeWindow = {}): AsyncGenerator<RESTRestoreSession> {
    return this.api.paginate(
      '/v8/RestoreSessions',
      schemas.session,
      {
        startTimeFrom: window.startTimeFrom?.toISOString(),
        startTimeTo: window.startTimeTo?.toISOString(),
        endTimeFrom: window.endTimeFrom?.toISOString(),
        endTimeTo: window.endTimeTo?.toISOString(),
        orderBy: window.orderBy ?? 'CreationTime',
        orderAsc: window.orderAsc ?? true,
      },
      'restore session list',
    );
  }

  async get(id: string): Promise<RESTRestoreSession> {
    return parseSession(await this.api.call({ method: 'GET', path: `/v8/RestoreSessions/${id}` }));
  }

  events(sessionId: string): AsyncGenerator<RESTRestoreSessionEvent> {
    return this.api.paginate(`/v8/RestoreSessions/${sessionId}/Events`, schemas.sessionEvent, {}, 'restore session events');
  }

  /** One change-feed read; `from` is a token or "latest". */
  async changes(from: string, limit = 1000, timeoutSeconds = 0): Promise<EventsPage> {
    const body = await this.api.call({
      method: 'GET',
      path: '/v8/Events',
      query: { from, limit, timeoutSeconds: timeoutSeconds || undefined },
      extraTimeoutMs: timeoutSeconds * 1000,
    });
    return parseEvents(body);
  }
}

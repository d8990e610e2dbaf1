import { RestoreSessionsService, TimeWindow } from './restore-sessions.service';
import { Vb365Error } from './vb365.errors';
import { RESTRestoreSession } from './vb365.types';

export type ChangeBatch =
  | { kind: 'changes'; updated: RESTRestoreSession[]; deletedIds: string[]; token: string }
  /** The token expired: everything in the window was re-listed; callers upsert idempotently. */
  | { kind: 'resync'; sessions: RESTRestoreSession[]; token: string };

/**
 * Follows /v8/Events for restore sessions. Events are triggers only, so updated sessions are re-read by id.
 * Missed events are not replayed: on OutdatedChangeToken it takes a fresh "latest" token first (so nothing
 * between the listing and the token is lost) and re-lists sessions in the resync window (vb365.md).
 */
export class ChangeFeedFollower {
  constructor(
    private readonly sessions: RestoreSessionsService,
    private readonly resyncWindow: () => TimeWindow,
  ) {}

  /** One step from `token` (undefined = start: take the latest token and do an initial listing). */
  async next(token: string | undefined, opts: { limit?: number; timeoutSeconds?: number } = {}): Promise<ChangeBatch> {
    if (token === undefined) return this.resync();
    let page;
    try {
      page = await this.sessions.changes(token, opts.limit ?? 1000, opts.timeoutSeconds ?? 0);
    } catch (err) {
      if (err instanceof Vb365Error && err.vendorCode === 'OutdatedChangeToken') return this.resync();
      throw err;
    }
    const updated = new Set<string>();
    const deleted = new Set<string>();
    for (const e of page.results) {
      if (!e.id) continue;
      if (e.eventType === 'RestoreSessionUpdate') {
        updated.add(e.id);
        deleted.delete(e.id);
      } else if (e.eventType === 'RestoreSessionDelete') {
        deleted.add(e.id);
        updated.delete(e.id);
      }
    }
    const sessions: RESTRestoreSession[] = [];
    for (const id of updated) {
      try {
        sessions.push(await this.sessions.get(id));
      } catch (err) {
        // Deleted between the event and the read: report it as deleted.
        if (err instanceof Vb365Error && err.code === 'NOT_FOUND') deleted.add(id);
        else throw err;
      }
    }
    return { kind: 'changes', updated: sessions, deletedIds: [...deleted], token: page.nextChangeToken };
  }

  private async resync(): Promise<ChangeBatch> {
    const { nextChangeToken } = await this.sessions.changes('latest', 1);
    const sessions: RESTRestoreSession[] = [];
    for await (const s of this.sessions.list(this.resyncWindow())) sessions.push(s);
    return { kind: 'resync', sessions, token: nextChangeToken };
  }
}

import { randomUUID } from 'node:crypto';

export interface ChangeEvent {
  eventType: 'RestoreSessionUpdate' | 'RestoreSessionDelete';
  id: string;
  eTag?: number;
  organizationId?: string;
}

/**
 * The /v8/Events change log. VB365 keeps a bounded window of changes; a token older than the window (or from
 * before a restart/reset, hence the epoch in the token) answers OutdatedChangeToken and the client resyncs by
 * listing (vb365.md "Audit data"). Tokens are opaque to clients: `<epoch>.<sequence>`.
 */
export class ChangeFeed {
  private entries: (ChangeEvent & { seq: number })[] = [];
  private nextSeq = 1;
  private epoch = randomUUID().slice(0, 8);
  private waiters = new Set<() => void>();

  constructor(private retention: number) {}

  reset(): void {
    this.entries = [];
    this.nextSeq = 1;
    this.epoch = randomUUID().slice(0, 8);
    this.wake();
  }

  setRetention(retention: number): void {
    this.retention = Math.max(1, retention);
    this.trim();
  }

  append(event: ChangeEvent): void {
    this.entries.push({ ...event, seq: this.nextSeq++ });
    this.trim();
    this.wake();
  }

  latestToken(): string {
    return `${this.epoch}.${this.nextSeq - 1}`;
  }

  /** Position after which to read, or undefined when the token is unknown or has fallen out of the window. */
  positionOf(token: string): number | undefined {
    if (token === 'latest') return this.nextSeq - 1;
    const m = /^([0-9a-f]{8})\.(\d+)$/.exec(token);
    if (!m || m[1] !== this.epoch) return undefined;
    const seq = Number(m[2]);
    if (seq > this.nextSeq - 1) return undefined;
    const oldest = this.entries[0]?.seq ?? this.nextSeq;
    // Everything after `seq` must still be retained.
    return seq + 1 < oldest ? undefined : seq;
  }

  readAfter(position: number, limit: number): { events: ChangeEvent[]; nextToken: string } {
    const start = this.entries.findIndex((e) => e.seq > position);
    if (start < 0) return { events: [], nextToken: `${this.epoch}.${position}` };
    const slice = this.entries.slice(start, start + limit);
    const last = slice[slice.length - 1]!;
    return { events: slice.map(({ seq: _seq, ...e }) => e), nextToken: `${this.epoch}.${last.seq}` };
  }

  stats(): { retained: number; first: number | null; last: number; retention: number } {
    return { retained: this.entries.length, first: this.entries[0]?.seq ?? null, last: this.nextSeq - 1, retention: this.retention };
  }

  /** Resolves when something is appended or after `ms`. */
  waitForChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  private trim(): void {
    const excess = this.entries.length - this.retention;
    if (excess > 0) this.entries.splice(0, excess);
  }
}

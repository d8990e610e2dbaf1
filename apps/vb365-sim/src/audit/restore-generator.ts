import { Rng, rng } from '../store/random';
import { SimStore } from '../store/sim-store';
import { SimOrganization, SimRestoreSession } from '../store/sim.types';
import { finishSession, makeSession } from './session-factory';

export interface GeneratorSettings {
  /** New restore sessions per minute across all organizations (0 = off). */
  sessionsPerMinute: number;
  /** How long a session stays Working before it stops, in ms. */
  workingMs: number;
  eventsPerSession: number;
  portalShare: number;
  seed: number;
}

const TICK_MS = 200;

/**
 * Creates restore sessions over time for the seeded organizations so audit sync has a moving source: each
 * starts Working, gains events and later stops; every change bumps the eTag and appears on /v8/Events.
 */
export class RestoreGenerator {
  settings: GeneratorSettings = { sessionsPerMinute: 0, workingMs: 5000, eventsPerSession: 4, portalShare: 0.6, seed: 1 };
  private timer: NodeJS.Timeout | undefined;
  private carry = 0;
  private r: Rng = rng(1);
  private working: { session: SimRestoreSession; org: SimOrganization; stopAt: number }[] = [];
  private orgCache: SimOrganization[] = [];
  created = 0;

  constructor(
    private readonly store: SimStore,
    private readonly adminName: string,
  ) {}

  configure(settings: Partial<GeneratorSettings>): GeneratorSettings {
    const reseed = settings.seed !== undefined && settings.seed !== this.settings.seed;
    this.settings = { ...this.settings, ...settings };
    if (reseed) this.r = rng(this.settings.seed);
    if (this.settings.sessionsPerMinute > 0 && !this.timer) {
      this.timer = setInterval(() => this.tick(Date.now()), TICK_MS);
      this.timer.unref();
    } else if (this.settings.sessionsPerMinute <= 0 && this.timer && this.working.length === 0) {
      this.stop();
    }
    return this.settings;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  reset(): void {
    this.stop();
    this.working = [];
    this.carry = 0;
    this.created = 0;
    this.settings = { ...this.settings, sessionsPerMinute: 0 };
  }

  /** Creates `count` sessions now (deterministic tests use this instead of the clock). */
  createNow(count: number, working: boolean, organizationId?: string, now = Date.now()): SimRestoreSession[] {
    const orgs = organizationId ? [this.store.organization(organizationId)].filter((o): o is SimOrganization => !!o) : this.organizations();
    const out: SimRestoreSession[] = [];
    if (!orgs.length) return out;
    for (let i = 0; i < count; i++) {
      const org = orgs[Math.floor(this.r() * orgs.length)]!;
      const roles = [...this.store.roles.values()].filter((role) => role.organizationId === org.id);
      const session = makeSession(this.r, org, roles, {
        creationTime: now + i,
        working,
        eventsPerSession: this.settings.eventsPerSession,
        portalShare: this.settings.portalShare,
        adminName: this.adminName,
      });
      session.eTag = 0;
      this.store.addSession(session);
      this.store.touchSession(session);
      if (working) this.working.push({ session, org, stopAt: now + this.settings.workingMs });
      this.created += 1;
      out.push(session);
    }
    return out;
  }

  /** Stops Working sessions whose time has come (all of them with `force`). */
  finishDue(now = Date.now(), force = false): number {
    const due = this.working.filter((w) => force || w.stopAt <= now);
    this.working = this.working.filter((w) => !due.includes(w));
    for (const w of due) {
      if (!this.store.sessionsById.has(w.session.id)) continue;
      const before = w.session.events.length;
      finishSession(this.r, w.session, now, w.org, Math.max(0, this.settings.eventsPerSession - before));
      this.store.eventCount += w.session.events.length - before;
      this.store.touchSession(w.session);
    }
    return due.length;
  }

  private organizations(): SimOrganization[] {
    if (this.orgCache.length !== this.store.organizations.size) this.orgCache = [...this.store.organizations.values()];
    return this.orgCache;
  }

  private tick(now: number): void {
    this.carry += (this.settings.sessionsPerMinute * TICK_MS) / 60_000;
    const n = Math.floor(this.carry);
    this.carry -= n;
    if (n > 0) this.createNow(n, true, undefined, now);
    this.finishDue(now);
  }
}

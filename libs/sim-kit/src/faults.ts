/**
 * Fault and latency injection shared by the simulators. Settings apply globally or per key (a tenant id for
 * entra-sim, an organization id for vb365-sim); a per-key setting overrides the global one field by field.
 */
export interface FaultSettings {
  /** Fixed latency added to every request, in ms. */
  latencyMs?: number;
  /** Uniform random jitter added on top (0..jitterMs). */
  jitterMs?: number;
  /** Probability (0..1) of answering 429 with Retry-After. */
  throttleRate?: number;
  /** Retry-After seconds range for injected 429s. */
  retryAfterSeconds?: [number, number];
  /** Probabilities of 500 / 503 / 504. */
  error500Rate?: number;
  error503Rate?: number;
  error504Rate?: number;
  /** Probability of destroying the socket without answering. */
  resetRate?: number;
}

export type InjectedFault =
  | { kind: 'throttle'; retryAfterSeconds: number }
  | { kind: 'status'; status: 500 | 503 | 504 }
  | { kind: 'reset' };

/**
 * Generic over the settings type so a simulator can carry its own extra fields (entra-sim: replication lag,
 * token-bucket mode) through the same global/per-key merge; `FaultPlan` without a type argument is unchanged.
 */
export class FaultPlan<S extends FaultSettings = FaultSettings> {
  private global: S = {} as S;
  private readonly perKey = new Map<string, S>();

  constructor(private readonly random: () => number = Math.random) {}

  set(settings: S, key?: string): void {
    if (key) this.perKey.set(key.toLowerCase(), { ...settings });
    else this.global = { ...settings };
  }

  clear(): void {
    this.global = {} as S;
    this.perKey.clear();
  }

  describe(): { global: S; perKey: Record<string, S> } {
    return { global: this.global, perKey: Object.fromEntries(this.perKey) };
  }

  effective(key?: string): S {
    const own = key ? this.perKey.get(key.toLowerCase()) : undefined;
    return own ? { ...this.global, ...own } : this.global;
  }

  latencyFor(key?: string): number {
    const s = this.effective(key);
    return (s.latencyMs ?? 0) + (s.jitterMs ? this.random() * s.jitterMs : 0);
  }

  /** Draws at most one fault for a request. */
  draw(key?: string): InjectedFault | undefined {
    const s = this.effective(key);
    const roll = this.random();
    let edge = 0;
    const hit = (rate: number | undefined): boolean => {
      edge += rate ?? 0;
      return roll < edge;
    };
    if (hit(s.throttleRate)) {
      const [lo, hi] = s.retryAfterSeconds ?? [1, 3];
      return { kind: 'throttle', retryAfterSeconds: Math.round(lo + this.random() * (hi - lo)) };
    }
    if (hit(s.error500Rate)) return { kind: 'status', status: 500 };
    if (hit(s.error503Rate)) return { kind: 'status', status: 503 };
    if (hit(s.error504Rate)) return { kind: 'status', status: 504 };
    if (hit(s.resetRate)) return { kind: 'reset' };
    return undefined;
  }
}

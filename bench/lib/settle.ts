import { cpus } from 'node:os';
import { Pool } from 'pg';
import { machineBusyMs } from './proc-stats';

export interface Settled {
  waitedMs: number;
  /** Machine busy share (all cores) in the last sample, percent. */
  busyPct: number;
  quiet: boolean;
}

/**
 * Waits for the machine to go quiet before the next scenario, so one scenario's aftermath (Postgres writing out
 * a million inserted rows, autovacuum after 10,000 new tenants, processes still exiting) is not measured as the
 * next one's latency: a CHECKPOINT, then busy CPU under `maxBusyPct` of all cores for two consecutive
 * `sampleMs` samples, for at most `timeoutMs` (then the scenario runs anyway and the report says so).
 */
export async function settle(adminUrl: string, o: { maxBusyPct?: number; sampleMs?: number; timeoutMs?: number } = {}): Promise<Settled> {
  const { maxBusyPct = 15, sampleMs = 1000, timeoutMs = 60_000 } = o;
  const t0 = Date.now();
  const pool = new Pool({ connectionString: adminUrl, max: 1 });
  try {
    await pool.query('CHECKPOINT');
  } finally {
    await pool.end();
  }
  let quietSamples = 0;
  let busyPct = 100;
  while (Date.now() - t0 < timeoutMs) {
    const b0 = machineBusyMs();
    await new Promise((r) => setTimeout(r, sampleMs));
    busyPct = ((machineBusyMs() - b0) / (sampleMs * cpus().length)) * 100;
    quietSamples = busyPct < maxBusyPct ? quietSamples + 1 : 0;
    if (quietSamples >= 2) return { waitedMs: Date.now() - t0, busyPct: +busyPct.toFixed(1), quiet: true };
  }
  return { waitedMs: Date.now() - t0, busyPct: +busyPct.toFixed(1), quiet: false };
}

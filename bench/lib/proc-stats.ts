import { readdirSync, readFileSync } from 'node:fs';

/** User + system CPU time of a process, in ms (from /proc; clock ticks are 100 Hz on Linux). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Peak resident set size (VmHWM) of a process, in MiB. */
export function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Math.round(Number(m?.[1] ?? 0) / 1024);
}

export const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/**
 * CPU time the whole machine spent busy (every process on every core: product, simulators, Postgres, Redis, the
 * bench itself), in ms, from the first line of /proc/stat (user nice system idle iowait irq softirq steal).
 */
export function machineBusyMs(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = f;
  return (user + nice + system + irq + softirq + steal) * 10;
}

/**
 * CPU time (ms) of every process on the machine, grouped: the named pids under their label, every other process
 * under its command name (postgres backends, redis-server, …). Differences of two snapshots show where a run's
 * machine-wide CPU went.
 */
export function cpuByProcess(named: Record<string, number | undefined>): Record<string, number> {
  const label = new Map<number, string>();
  for (const [name, pid] of Object.entries(named)) if (pid) label.set(pid, name);
  const out: Record<string, number> = {};
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited between listing and reading
    }
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
    const key = label.get(Number(entry)) ?? (comm.startsWith('postgres') ? 'postgres' : comm);
    out[key] = (out[key] ?? 0) + (Number(fields[11]) + Number(fields[12])) * 10;
  }
  return out;
}

/** Per-group CPU (ms) spent between two `cpuByProcess` snapshots, largest first, groups under `minMs` left out. */
export function cpuDelta(before: Record<string, number>, after: Record<string, number>, minMs = 50): [string, number][] {
  return Object.entries(after)
    .map(([k, v]): [string, number] => [k, v - (before[k] ?? 0)])
    .filter(([, v]) => v >= minMs)
    .sort((a, b) => b[1] - a[1]);
}

/** `total` less the CPU of the named groups of a {@link cpuDelta} split (same unit as the split). */
export function cpuExcluding(total: number, split: [string, number][], names: string[]): number {
  return total - split.filter(([k]) => names.includes(k)).reduce((a, [, v]) => a + v, 0);
}

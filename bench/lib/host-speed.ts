import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';

/**
 * How fast this host runs JavaScript right now: the CPU time of a fixed single-threaded workload shaped like the
 * worker's own work (JSON in and out, short-lived objects, string building, a regex, a hash), measured in a fresh
 * node process — on the idle machine, and by a probe while a scenario runs. The bench prints the worker's CPU per
 * tenant beside it, so a slow phase of the host (these shared machines move by ±30 % within an hour) shows in the
 * same run. Same code, same input, same node: only the machine differs between two readings.
 */
export interface HostSpeed {
  /** Median CPU time of one round of the workload, ms. */
  medianMs: number;
  /** Fastest and slowest round, ms (the spread says how steady the host was while it ran). */
  minMs: number;
  maxMs: number;
  rounds: number;
}

const ROUNDS = 31;

/** A Graph-like list response: 25 service principals with app roles (~16 KB of JSON). */
function sample(seed: number): unknown {
  return {
    '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#servicePrincipals',
    value: Array.from({ length: 25 }, (_, i) => ({
      id: `00000000-0000-4000-8000-${String(seed * 100 + i).padStart(12, '0')}`,
      appId: `11111111-2222-4333-8444-${String(i).padStart(12, '0')}`,
      displayName: `Restore Portal ${seed}-${i}`,
      accountEnabled: i % 7 !== 0,
      tags: ['WindowsAzureActiveDirectoryIntegratedApp', `tenant-${seed}`],
      appRoles: Array.from({ length: 4 }, (_, r) => ({
        id: `role-${r}`,
        value: `Role.${r}`,
        allowedMemberTypes: ['Application'],
        isEnabled: true,
      })),
    })),
  };
}

/** One round: deterministic, ~5–10 ms of CPU on the 2-core hosts of 2026. */
function round(): number {
  let acc = 0;
  for (let k = 0; k < 48; k++) {
    const text = JSON.stringify(sample(k));
    const parsed = JSON.parse(text) as {
      value: { id: string; displayName: string; appRoles: { value: string }[] }[];
    };
    const rows = parsed.value.map((sp) => ({
      key: `${sp.id}|${sp.displayName.toLowerCase()}`,
      roles: sp.appRoles.map((r) => r.value).join(','),
    }));
    for (const row of rows) if (/restore portal \d+-1\d?$/.test(row.key)) acc += row.roles.length;
    acc += createHash('sha256').update(text).digest()[0]!;
  }
  return acc;
}

let sink = 0;

/** CPU time of one round, ms. */
function timedRound(): number {
  const c0 = process.cpuUsage();
  sink += round();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

function summary(times: number[]): HostSpeed {
  const sorted = [...times].sort((a, b) => a - b);
  if (sink < 0) console.error(sink); // keeps the work observable
  return {
    medianMs: +sorted[Math.floor(sorted.length / 2)]!.toFixed(2),
    minMs: +sorted[0]!.toFixed(2),
    maxMs: +sorted[sorted.length - 1]!.toFixed(2),
    rounds: sorted.length,
  };
}

/** Runs the workload in this process, {@link ROUNDS} rounds back to back. */
export function measureHere(): HostSpeed {
  return summary(Array.from({ length: ROUNDS }, timedRound));
}

/** Measures the host in a fresh node process (no JIT state or heap from the bench itself). */
export function hostSpeed(): HostSpeed {
  return JSON.parse(execFileSync(process.execPath, [__filename], { encoding: 'utf8' })) as HostSpeed;
}

/**
 * A probe that runs one round every `everyMs` while a scenario runs (≈ 3 % of one core at 250 ms) and, on stop, gives
 * the host's speed during the scenario: its contention with the other processes (shared caches, the hypervisor's
 * other guests) shows as the same workload taking more CPU time.
 */
export function startHostSpeedProbe(everyMs = 250): { stop(): Promise<HostSpeed> } {
  const child = spawn(process.execPath, [__filename, `--probe=${everyMs}`], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const done = new Promise<HostSpeed>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', () =>
      out.trim()
        ? resolve(JSON.parse(out) as HostSpeed)
        : reject(new Error('host speed probe printed nothing')),
    );
  });
  return {
    stop: () => {
      child.stdin.end(); // the probe stops at end of input
      return done;
    },
  };
}

if (require.main === module) {
  const probe = process.argv.find((a) => a.startsWith('--probe='));
  if (!probe) console.log(JSON.stringify(measureHere()));
  else {
    const times: number[] = [timedRound()]; // at least one round, however short the scenario
    const timer = setInterval(() => times.push(timedRound()), Number(probe.split('=')[1]));
    process.stdin.resume().on('end', () => {
      clearInterval(timer);
      console.log(JSON.stringify(summary(times)));
    });
  }
}

/**
 * Capacity benchmark for vb365-sim (issue 4): 10,000 organizations and 1,000,000 restore events in memory within
 * 2 GiB. Prints the simulator's RSS before and after seeding next to the target, and the time of a paged
 * RestoreSessions read at that size. Not a timed test.
 *
 *   npm run build && NODE_EXTRA_CA_CERTS=$PWD/.local/certs/ca.pem \
 *     node -r ./tools/alias-register.cjs dist/bench/vb365-sim-capacity.js [organizations] [sessions] [eventsPerSession]
 */
import { readFileSync } from 'node:fs';
import { startSimulator } from '@app/testing';

const [organizations = 10_000, sessions = 200_000, eventsPerSession = 5] = process.argv.slice(2).map(Number);
const TARGET_MIB = 2048;

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Math.round(Number(m?.[1] ?? 0) / 1024);
}

async function main(): Promise<void> {
  const sim = await startSimulator('vb365-sim', {}, 60_000);
  try {
    const pid = sim.process.pid!;
    const before = rssMiB(pid);
    const t0 = Date.now();
    await sim.admin('/_sim/seed', { generate: { organizations, seed: 7, restoreSessions: sessions, eventsPerSession, historyDays: 30 } });
    const seedMs = Date.now() - t0;
    await new Promise((r) => setTimeout(r, 1000));
    const after = rssMiB(pid);
    const token = await (
      await fetch(`${sim.urls['api']}/v8/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=password&username=VB365%5Crestadmin&password=dev-only-Passw0rd!&disable_antiforgery_token=true',
      })
    ).json() as { access_token: string };
    const t1 = process.hrtime.bigint();
    const page = await fetch(`${sim.urls['api']}/v8/RestoreSessions?limit=1000`, { headers: { authorization: `Bearer ${token.access_token}` } });
    await page.text();
    const pageMs = Number(process.hrtime.bigint() - t1) / 1e6;
    console.log(`vb365-sim capacity: ${organizations} organizations, ${sessions} sessions × ${eventsPerSession} events = ${sessions * eventsPerSession} events`);
    console.log(`RSS ${before} MiB empty → ${after} MiB seeded (target ≤ ${TARGET_MIB} MiB: ${after <= TARGET_MIB ? 'met' : 'MISSED'}); seeding took ${(seedMs / 1000).toFixed(1)} s`);
    console.log(`GET /v8/RestoreSessions?limit=1000 at this size: ${pageMs.toFixed(0)} ms (HTTP ${page.status})`);
    if (after > TARGET_MIB) process.exitCode = 1;
  } finally {
    await sim.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

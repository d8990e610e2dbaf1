/**
 * The main job (`npm run demo`): both simulators seeded with DEMO_TENANTS customer tenants (default 25), the api and
 * the worker as separate processes; tenants registered through the API with declared roles; admin consent completed
 * by following the consent links through the simulated admin-consent redirect; onboarding watched live; a summary.
 */
import { join } from 'node:path';
import { repoRoot } from '@app/common';
import { parseConfig } from '@app/config';
import { applyMigrations, dropProjectDatabase, issueApiKey, PrismaService, withAdminClient, withDatabase } from '@app/db';
import { deleteQueueKeys, ReadyProcess, spawnReady, workerNodeFlags } from '@app/testing';
import { DEMO_ROLES, demoScenario, freePort, startSeededSimulators } from './demo-world';
import { progressLine, summaryTable, TenantRow } from './demo-report';

interface TenantDto {
  id: string;
  displayName: string;
  status: string;
  statusReason?: string | null;
}
interface RunDto {
  status: string;
  startedAt: string | null;
  finishedAt: string | null;
  errorHint: string | null;
  steps: { changes: { action: string }[] }[];
}

const n = Number(process.env.DEMO_TENANTS ?? 25);
const DEMO_DATABASE = 'orchestrator_demo';

/** The demo owns one database (orchestrator_demo on the configured server), fresh on every run. */
async function prepareDemoDatabase(serverUrl: string): Promise<string> {
  const url = withDatabase(serverUrl, DEMO_DATABASE);
  await withAdminClient(url, async (client) => {
    await dropProjectDatabase(client, DEMO_DATABASE);
    await client.query(`CREATE DATABASE ${DEMO_DATABASE}`);
  });
  await applyMigrations({ databaseUrl: url, migrationsDir: join(repoRoot(), 'prisma', 'migrations') });
  return url;
}
const timeoutMs = Number(process.env.DEMO_TIMEOUT_MS ?? 300_000);

async function main(): Promise<void> {
  if (!Number.isInteger(n) || n < 1 || n > 5000) throw new Error('DEMO_TENANTS must be an integer from 1 to 5000');
  const t0 = Date.now();
  const databaseUrl = await prepareDemoDatabase(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
  await deleteQueueKeys(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', process.env.QUEUE_PREFIX ?? '{orch-demo}');
  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}`;
  const scenario = demoScenario(n, apiUrl);
  const sims = await startSeededSimulators(scenario);
  const procs: { name: string; proc: ReadyProcess<{ url: string }> }[] = [];
  const prisma = new PrismaService(parseConfig({ DATABASE_URL: databaseUrl }));
  try {
    const env: Record<string, string> = {
      DATABASE_URL: databaseUrl,
      API_HOST: '127.0.0.1',
      API_PORT: String(port),
      PUBLIC_BASE_URL: apiUrl,
      WORKER_HEALTH_PORT: '0',
      ENTRA_AUTHORITY_HOST: sims.entra.urls['identity']!,
      GRAPH_BASE_URL: sims.entra.urls['graph']!,
      ORCHESTRATOR_APP_ID: scenario.orchestratorAppId,
      ORCHESTRATOR_CERT_PATH: scenario.orchestratorCertPath,
      RESTORE_PORTAL_APP_ID: scenario.restorePortalAppId,
      VB365_BASE_URL: sims.vb365.urls['api']!,
      VB365_USERNAME: 'VB365\\restadmin',
      VB365_PASSWORD: 'dev-only-Passw0rd!',
    };
    procs.push({ name: 'worker', proc: await spawnReady('apps/worker/src/main.js', 'WORKER_READY', env, 30_000, workerNodeFlags()) });
    procs.push({ name: 'api', proc: await spawnReady('apps/api/src/main.js', 'API_READY', env) });
    console.log(`entra-sim ${sims.entra.urls['identity']} / ${sims.entra.urls['graph']}, vb365-sim ${sims.vb365.urls['api']}`);
    console.log(`api ${apiUrl} (Swagger UI ${apiUrl}/docs), worker ${procs[0]!.proc.info.url}`);
    const key = (await issueApiKey(prisma, { name: `demo-${Date.now()}`, scopes: ['admin'] })).key;
    const call = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
      const res = await fetch(`${apiUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
    };

    // 1. Register every tenant through the API, with its declared restore operator roles.
    const ids = new Map<number, string>();
    await inBatches(scenario.tenants, 8, async (t) => {
      const r = await call<{ tenant?: TenantDto; id?: string }>('POST', '/v1/tenants', {
        entraTenantId: t.entraTenantId,
        displayName: t.displayName,
        tags: ['demo'],
        consentMode: t.consent === 'preconsented' ? 'preconsented' : 'admin-consent-link',
        roles: DEMO_ROLES,
      });
      if (r.status !== 201) throw new Error(`registering ${t.displayName} failed: HTTP ${r.status} ${JSON.stringify(r.body)}`);
      ids.set(t.index, r.body.tenant?.id ?? r.body.id ?? '');
    });
    console.log(`registered ${n} tenants (${scenario.tenants.filter((t) => t.consent === 'preconsented').length} preconsented)`);

    // 2. The customer admins: follow each consent link through the simulated admin-consent page and its redirect.
    const consentOutcome = new Map<number, string>();
    await inBatches(
      scenario.tenants.filter((t) => t.consent !== 'preconsented'),
      8,
      async (t) => {
        const link = await call<{ url: string }>('GET', `/v1/tenants/${ids.get(t.index)}/consent-link`);
        const page = await fetch(link.body.url, { redirect: 'manual' });
        const location = page.headers.get('location');
        if (!location) throw new Error(`admin consent for ${t.displayName} did not redirect (HTTP ${page.status})`);
        const callback = await fetch(location);
        consentOutcome.set(t.index, t.consent === 'refuses' ? 'refused' : callback.ok ? 'granted' : `callback HTTP ${callback.status}`);
      },
    );
    console.log(`admin consent: ${[...consentOutcome.values()].filter((v) => v === 'granted').length} granted, ${[...consentOutcome.values()].filter((v) => v === 'refused').length} refused`);

    // 3. Watch onboarding live.
    const refusers = new Set(scenario.tenants.filter((t) => t.consent === 'refuses').map((t) => ids.get(t.index)));
    const started = Date.now();
    let tenants: TenantDto[] = [];
    const tty = process.stdout.isTTY;
    let lastPrinted = 0;
    for (;;) {
      tenants = (await call<{ items: TenantDto[] }>('GET', '/v1/tenants?tag=demo&limit=500')).body.items;
      const counts: Record<string, number> = {};
      for (const t of tenants) {
        const s = refusers.has(t.id) && t.status === 'awaiting_consent' ? 'refused' : t.status;
        counts[s] = (counts[s] ?? 0) + 1;
      }
      const settled = (counts['active'] ?? 0) + (counts['failed'] ?? 0) + (counts['refused'] ?? 0);
      const line = progressLine(counts, n, Date.now() - started);
      if (tty) process.stdout.write(`\r${line}   `);
      else if (Date.now() - lastPrinted > 2000 || settled === n) {
        console.log(line);
        lastPrinted = Date.now();
      }
      if (settled === n) break;
      if (Date.now() - started > timeoutMs) throw new Error(`onboarding did not settle within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 500));
    }
    if (tty) process.stdout.write('\n');
    const wallMs = Date.now() - started;

    // 4. Summary.
    const rows: TenantRow[] = [];
    for (const t of scenario.tenants) {
      const id = ids.get(t.index)!;
      const tenant = tenants.find((x) => x.id === id)!;
      const runs = (await call<RunDto[]>('GET', `/v1/tenants/${id}/runs`)).body;
      const run = runs[0];
      const changes: Record<string, number> = {};
      for (const c of run?.steps.flatMap((s) => s.changes) ?? []) changes[c.action] = (changes[c.action] ?? 0) + 1;
      const refused = refusers.has(id);
      rows.push({
        name: t.displayName,
        status: refused ? 'consent refused' : tenant.status,
        durationMs: run?.startedAt && run.finishedAt ? Date.parse(run.finishedAt) - Date.parse(run.startedAt) : null,
        changes,
        hint: refused ? 'The customer admin refused consent; send the link again when they are ready.' : tenant.status === 'active' ? '' : (run?.errorHint ?? tenant.statusReason ?? ''),
      });
    }
    console.log(`\n${summaryTable(rows)}\n`);
    const entraStats = await sims.entra.admin<{ tenants: Record<string, { requests: number }> }>('/_sim/stats', undefined, 'GET', 'identity');
    const vbStats = await sims.vb365.admin<{ requests: number }>('/_sim/stats');
    const entraCalls = Object.values(entraStats.tenants).reduce((a, s) => a + s.requests, 0);
    const onboarded = rows.filter((r) => r.status === 'active').length;
    const attempted = rows.filter((r) => r.status !== 'consent refused').length;
    console.log(
      `${onboarded}/${n} tenants active in ${(wallMs / 1000).toFixed(1)} s: ${((onboarded / wallMs) * 60_000).toFixed(0)} tenants per minute; ` +
        `${((entraCalls + vbStats.requests) / Math.max(1, attempted)).toFixed(1)} calls per tenant (Entra/Graph ${entraCalls}, VB365 ${vbStats.requests})`,
    );
    const unexpected = rows.filter((r, i) => r.status !== 'active' && r.status !== 'consent refused' && scenario.tenants[i]!.vb365Organization);
    if (unexpected.length) throw new Error(`unexpected outcomes: ${unexpected.map((r) => `${r.name}: ${r.status}`).join(', ')}`);
  } finally {
    for (const { name, proc } of [...procs].reverse()) {
      const code = await proc.stop();
      console.log(`stopped ${name} (exit ${code})`);
      if (code !== 0) process.exitCode = 1;
    }
    await Promise.all([sims.entra.stop(), sims.vb365.stop()]);
    await prisma.$disconnect();
    console.log(`demo total ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

main().catch((e: unknown) => {
  console.error(`demo failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});

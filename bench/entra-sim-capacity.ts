/**
 * Capacity benchmark for entra-sim (issue 3): RSS with 10,000 tenants × 100 users, and median added latency of a
 * Graph request versus a bare Fastify HTTPS route in the same run. Not a timed test.
 *
 *   npx swc apps libs tools bench -d dist --config-file .swcrc
 *   NODE_EXTRA_CA_CERTS=$PWD/.local/certs/ca.pem node -r ./tools/alias-register.cjs dist/bench/entra-sim-capacity.js [tenants] [users] [requests]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import Fastify from 'fastify';

const root = join(__dirname, '..', '..');
const [tenants = 10_000, users = 100, n = 3000] = process.argv.slice(2).map(Number);
const certs = join(root, '.local', 'certs');
const agent = new Agent({ connections: 1, pipelining: 1, connect: { ca: readFileSync(join(certs, 'ca.pem')) } });

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Math.round(Number(m?.[1] ?? 0) / 1024);
}

async function timeRequests(url: string, headers: Record<string, string>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    const res = await request(url, { dispatcher: agent, headers });
    await res.body.text();
    if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}`);
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return out.slice(Math.floor(n / 10)).sort((a, b) => a - b); // drop warm-up
}
const median = (xs: number[]): number => xs[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const child = spawn(process.execPath, ['-r', join(root, 'tools', 'alias-register.cjs'), join(root, 'dist', 'apps', 'entra-sim', 'src', 'main.js')], {
    env: { ...process.env, SIM_PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const urls = await new Promise<{ identity: string; graph: string }>((resolve) => {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /SIM_READY (\{.*\})/.exec(buf);
      if (m) resolve(JSON.parse(m[1]!) as { identity: string; graph: string });
    });
  });
  const post = async (path: string, body: unknown): Promise<unknown> => {
    const r = await request(urls.identity + path, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return r.body.json();
  };
  const rssBefore = rssMiB(child.pid!);
  const appId = '5eed0000-0000-4000-a000-000000000001';
  const started = Date.now();
  await post('/_sim/seed', { apps: [{ appId, displayName: 'bench', secret: 'bench', requiredAppRoles: ['Directory.Read.All'] }], generate: { tenants, seed: 1, usersPerTenant: users, consentedApps: [appId] } });
  const seedMs = Date.now() - started;
  global.gc?.();
  await new Promise((r) => setTimeout(r, 1000));
  const rssAfter = rssMiB(child.pid!);

  const stats = (await (await request(`${urls.identity}/_sim/stats`, { dispatcher: agent })).body.json()) as { tenantCount: number };
  // Token for generated tenant 0 (same generator → same id): read it from the state of any tenant is not needed;
  // the tenant's domain is deterministic.
  const domain = 'tenant0-s1.onmicrosoft.com';
  const tokenRes = await request(`${urls.identity}/${domain}/oauth2/v2.0/token`, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: appId, client_secret: 'bench', grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default' }).toString(),
  });
  const token = ((await tokenRes.body.json()) as { access_token: string }).access_token;

  const bare = Fastify({ https: { cert: readFileSync(join(certs, 'server.pem')), key: readFileSync(join(certs, 'server-key.pem')) } });
  bare.get('/v1.0/organization', async () => ({ value: [{ id: 'x', displayName: 'bare' }] }));
  await bare.listen({ host: '127.0.0.1', port: 0 });
  const addr = bare.server.address();
  const bareUrl = `https://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/v1.0/organization`;

  const auth = { authorization: `Bearer ${token}` };
  const bareTimes = await timeRequests(bareUrl, auth);
  const simTimes = await timeRequests(`${urls.graph}/v1.0/organization`, auth);
  const spTimes = await timeRequests(`${urls.graph}/v1.0/servicePrincipals?$filter=appId eq '${appId}'`, auth);
  console.log(
    JSON.stringify(
      {
        tenants: stats.tenantCount,
        usersPerTenant: users,
        seedMs,
        rssMiB: { beforeSeed: rssBefore, afterSeed: rssAfter, afterRequests: rssMiB(child.pid!) },
        requests: n,
        medianMs: { bareFastify: median(bareTimes), organization: median(simTimes), servicePrincipalFilter: median(spTimes) },
        addedMedianMs: { organization: +(median(simTimes) - median(bareTimes)).toFixed(3), servicePrincipalFilter: +(median(spTimes) - median(bareTimes)).toFixed(3) },
      },
      null,
      2,
    ),
  );
  await bare.close();
  child.kill('SIGTERM');
  await agent.close();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

// `npm run stack`: simulators, api and worker together, configured against the simulators; prints the URLs and
// a fresh admin API key; runs until Ctrl-C, then stops everything cleanly. `npm run sims`: the simulators only.
const { log, run, startService, stopChild } = require('./proc.cjs');
const { setup } = require('./setup.cjs');

const STACK_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/orchestrator';

async function startSims(env) {
  const entra = await startService('entra-sim', ['-r', './tools/alias-register.cjs', 'dist/apps/entra-sim/src/main.js'], env, 'SIM_READY');
  const vb365 = await startService('vb365-sim', ['-r', './tools/alias-register.cjs', 'dist/apps/vb365-sim/src/main.js'], env, 'SIM_READY');
  return { entra, vb365 };
}

/** POST /_sim/seed over HTTPS, trusting the local CA explicitly (this process started before NODE_EXTRA_CA_CERTS). */
function seed(baseUrl, body, caFile) {
  const https = require('node:https');
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(`${baseUrl}/_sim/seed`, {
      method: 'POST',
      ca: require('node:fs').readFileSync(caFile),
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
    }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => (res.statusCode < 300 ? resolve() : reject(new Error(`seeding ${baseUrl} failed: HTTP ${res.statusCode} ${text}`))));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

function waitForSignal(services) {
  for (const s of services) s.child.echo = true;
  return new Promise((resolve) => {
    const stop = async () => {
      log('stopping…');
      for (const s of [...services].reverse()) await stopChild(s.child);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

async function simsCommand() {
  const base = await setup();
  const { entra, vb365 } = await startSims({ ...process.env, NODE_EXTRA_CA_CERTS: base.caFile });
  console.log(`entra-sim  ${JSON.stringify(entra.info)}`);
  console.log(`vb365-sim  ${JSON.stringify(vb365.info)}`);
  console.log('Ctrl-C to stop.');
  await waitForSignal([entra, vb365]);
}

async function stackCommand() {
  const base = await setup();
  const databaseUrl = process.env.DATABASE_URL || STACK_DATABASE_URL;
  const env = { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL: base.redisUrl, NODE_EXTRA_CA_CERTS: base.caFile };
  const dist = (script, args) => run(process.execPath, ['-r', './tools/alias-register.cjs', `dist/${script}`, ...args], { env, quiet: true });
  const migrate = dist('tools/db/migrate.js', []);
  if (migrate.status !== 0) throw new Error(`migrations failed:\n${migrate.stdout}${migrate.stderr}`);
  const services = [];
  try {
    const { entra, vb365 } = await startSims(env);
    services.push(entra, vb365);
    // Seed a small world (the MSP's two apps, STACK_TENANTS customer tenants and their VB365 organizations) so the
    // stack can onboard tenants right away; the api's consent callback is registered on the orchestrator app.
    require('../alias-register.cjs');
    const { buildScenario } = require('../../dist/libs/testing/src/scenario.js');
    const publicBaseUrl = process.env.PUBLIC_BASE_URL || 'http://127.0.0.1:3000';
    const scenario = buildScenario({
      tenants: Number(process.env.STACK_TENANTS || 5),
      seed: 'stack',
      refuse: [1],
      preconsented: [0],
      redirectUri: `${publicBaseUrl}/v1/consent/callback`,
    });
    await seed(entra.info.identity, scenario.entraSeed, base.caFile);
    await seed(vb365.info.api, scenario.vb365Seed, base.caFile);
    const appEnv = {
      ...env,
      PUBLIC_BASE_URL: publicBaseUrl,
      ENTRA_AUTHORITY_HOST: entra.info.identity,
      GRAPH_BASE_URL: entra.info.graph,
      ORCHESTRATOR_APP_ID: process.env.ORCHESTRATOR_APP_ID || scenario.orchestratorAppId,
      ORCHESTRATOR_CERT_PATH: process.env.ORCHESTRATOR_CERT_PATH || scenario.orchestratorCertPath,
      RESTORE_PORTAL_APP_ID: process.env.RESTORE_PORTAL_APP_ID || scenario.restorePortalAppId,
      VB365_BASE_URL: vb365.info.api,
      VB365_USERNAME: process.env.VB365_USERNAME || 'VB365\\restadmin',
      VB365_PASSWORD: process.env.VB365_PASSWORD || 'dev-only-Passw0rd!',
    };
    const { WORKER_NODE_FLAGS, SERVICE_PROCESS_ENV } = require('../../apps/worker/node-flags.cjs');
    const serviceEnv = { ...SERVICE_PROCESS_ENV, ...appEnv };
    const worker = await startService('worker', [...WORKER_NODE_FLAGS, '-r', './tools/alias-register.cjs', 'dist/apps/worker/src/main.js'], serviceEnv, 'WORKER_READY');
    services.push(worker);
    const api = await startService('api', ['-r', './tools/alias-register.cjs', 'dist/apps/api/src/main.js'], serviceEnv, 'API_READY');
    services.push(api);
    const key = dist('tools/key-create.js', ['--name', `stack-${Date.now()}`, '--scopes', 'admin', '--env-line', 'ADMIN_API_KEY']);
    if (key.status !== 0) throw new Error(`creating the admin API key failed:\n${key.stderr}`);
    console.log('\nstack is up:');
    console.log(`  api         ${api.info.url}   (Swagger UI ${api.info.url}/docs, queues ${api.info.url}/admin/queues)`);
    console.log(`  worker      ${worker.info.url}/health/ready  ${worker.info.url}/metrics`);
    console.log(`  entra-sim   ${JSON.stringify(entra.info)}`);
    console.log(`  vb365-sim   ${JSON.stringify(vb365.info)}`);
    console.log('  seeded tenants (register them with POST /v1/tenants):');
    for (const t of scenario.tenants) console.log(`    ${t.entraTenantId}  ${t.domain}  (${t.consent})`);
    console.log(/ADMIN_API_KEY=\S+/.exec(key.stdout)[0]);
    console.log('Ctrl-C to stop.');
  } catch (e) {
    for (const s of services.reverse()) await stopChild(s.child);
    throw e;
  }
  await waitForSignal(services);
}

module.exports = { stackCommand, simsCommand };

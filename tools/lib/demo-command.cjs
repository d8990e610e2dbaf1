// `npm run demo`: set up everything, start the api and the worker, send a request that enqueues a job the
// worker processes and records in Postgres, print the round trip, and shut everything down cleanly.
const path = require('node:path');
const { root, log, run, startService, stopChild } = require('./proc.cjs');
const { setup } = require('./setup.cjs');

const DEMO_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/orchestrator_demo';

function dist(script, args, env) {
  return run(process.execPath, ['-r', './tools/alias-register.cjs', `dist/${script}`, ...args], { env, quiet: true });
}

async function demoCommand() {
  const t0 = Date.now();
  const base = await setup();
  // The demo keeps its own database (created on first use, never dropped) unless DATABASE_URL says otherwise.
  const databaseUrl = process.env.DATABASE_URL || DEMO_DATABASE_URL;
  const env = {
    ...process.env,
    NODE_ENV: 'development',
    DATABASE_URL: databaseUrl,
    REDIS_URL: base.redisUrl,
    QUEUE_PREFIX: process.env.QUEUE_PREFIX || '{orch-demo}',
    NODE_EXTRA_CA_CERTS: base.caFile,
    API_HOST: '127.0.0.1',
    API_PORT: '0',
    WORKER_HEALTH_PORT: '0',
    LOG_FORMAT: 'json',
    LOG_LEVEL: process.env.LOG_LEVEL || 'info',
  };
  const migrate = dist('tools/db/migrate.js', [], env);
  if (migrate.status !== 0) throw new Error(`migrations failed:\n${migrate.stdout}${migrate.stderr}`);
  log(`database: ${migrate.stdout.trim().split('\n').pop()}`);
  const key = dist('tools/key-create.js', ['--name', `demo-${Date.now()}`, '--scopes', 'admin', '--env-line', 'ADMIN_API_KEY'], env);
  if (key.status !== 0) throw new Error(`creating the demo API key failed:\n${key.stderr}`);
  const apiKey = /ADMIN_API_KEY=(\S+)/.exec(key.stdout)[1];

  const services = [];
  try {
    log('starting worker and api…');
    const worker = await startService('worker', ['-r', './tools/alias-register.cjs', 'dist/apps/worker/src/main.js'], env, 'WORKER_READY');
    services.push(worker);
    const api = await startService('api', ['-r', './tools/alias-register.cjs', 'dist/apps/api/src/main.js'], env, 'API_READY');
    services.push(api);
    const apiUrl = api.info.url;
    log(`api ${apiUrl}, worker health ${worker.info.url}`);

    const ready = await fetch(`${apiUrl}/health/ready`).then((r) => r.json());
    log(`api readiness: ${ready.status}`);
    const correlationId = `demo-${Date.now().toString(36)}`;
    const started = performance.now();
    const res = await fetch(`${apiUrl}/v1/probes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'x-request-id': correlationId },
      body: JSON.stringify({ message: 'npm run demo', wait: true }),
    });
    const probe = await res.json();
    const httpMs = performance.now() - started;
    if (res.status !== 201 || probe.status !== 'processed') {
      throw new Error(`probe did not complete: HTTP ${res.status} ${JSON.stringify(probe)}`);
    }
    const again = await fetch(`${apiUrl}/v1/probes/${probe.id}`, { headers: { authorization: `Bearer ${apiKey}` } }).then((r) => r.json());
    const metrics = await fetch(`${worker.info.url}/metrics`).then((r) => r.text());
    const completed = /jobs_completed_total\{queue="system",name="system.probe"\} (\d+)/.exec(metrics);

    console.log('\n=== demo summary ===');
    console.log(`request   POST /v1/probes (X-Request-Id ${correlationId}) -> HTTP ${res.status} in ${httpMs.toFixed(0)} ms`);
    console.log(`job       ${probe.jobId} on queue "system", processed by worker ${probe.processedBy}`);
    console.log(`postgres  probe ${again.id}: status ${again.status}, round trip (enqueue -> recorded) ${again.roundTripMs} ms`);
    console.log(`metrics   worker jobs_completed_total{system.probe} = ${completed ? completed[1] : '?'}`);
    console.log(`logs      correlation id ${correlationId} in worker logs: ${worker.output().includes(correlationId) ? 'yes' : 'no'}`);

    for (const s of services.reverse()) {
      const code = await stopChild(s.child);
      console.log(`shutdown  ${s === api ? 'api' : 'worker'} exited with code ${code}`);
      if (code !== 0) throw new Error(`${s === api ? 'api' : 'worker'} did not shut down cleanly`);
    }
    services.length = 0;
    console.log(`total     ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    for (const s of services) await stopChild(s.child);
  }
}

module.exports = { demoCommand, DEMO_DATABASE_URL, root: path.resolve(root) };

#!/usr/bin/env node
// Entry point of every npm script: `node tools/run.cjs <command>`. Plain CommonJS with no dependencies, because
// on a fresh clone it is what installs them.
const fs = require('node:fs');
const path = require('node:path');
const { root, log, fail, run } = require('./lib/proc.cjs');

function loadDotEnv() {
  const file = path.join(root, '.env');
  if (fs.existsSync(file) && typeof process.loadEnvFile === 'function') process.loadEnvFile(file);
}

const node = (script, args = [], opts = {}) =>
  run(process.execPath, ['-r', './tools/alias-register.cjs', `dist/${script}`, ...args], opts);

/** `secrets:*`: set-up (database reachable, build), then the tool against DATABASE_URL. */
const secretsCommand = (script) => async (...args) => {
  const { setup } = require('./lib/setup.cjs');
  const env = await setup();
  const r = node(script, args, { env: { ...process.env, DATABASE_URL: env.databaseUrl } });
  process.exit(r.status);
};

const commands = {
  async test() {
    await require('./lib/test-command.cjs').testCommand();
  },
  async demo() {
    await require('./lib/demo-command.cjs').demoCommand();
  },
  async stack() {
    await require('./lib/stack-command.cjs').stackCommand();
  },
  async sims() {
    await require('./lib/stack-command.cjs').simsCommand();
  },
  async start(which) {
    if (!['api', 'worker', 'entra-sim', 'vb365-sim'].includes(which)) fail('usage: start <api|worker|entra-sim|vb365-sim>');
    require('./lib/setup.cjs').buildOnly();
    const { spawn } = require('node:child_process');
    // The worker runs with its V8 flags, the api and the worker with their process environment
    // (apps/worker/node-flags.cjs, issue 9).
    const { WORKER_NODE_FLAGS, SERVICE_PROCESS_ENV } = require('../apps/worker/node-flags.cjs');
    const flags = which === 'worker' ? WORKER_NODE_FLAGS : [];
    const serviceEnv = which === 'worker' || which === 'api' ? SERVICE_PROCESS_ENV : {};
    const child = spawn(process.execPath, [...flags, '-r', './tools/alias-register.cjs', `dist/apps/${which}/src/main.js`], {
      cwd: root,
      stdio: 'inherit',
      env: { ...serviceEnv, ...process.env },
    });
    for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
    child.on('exit', (code) => process.exit(code ?? 1));
  },
  /** `npm run bench:<name>`: build, then run dist/bench/<name>.js with the local CA trusted. */
  async 'start-bench'(name, ...args) {
    if (!/^[a-z0-9-]+$/.test(name ?? '')) fail('usage: start-bench <name>');
    const { setup } = require('./lib/setup.cjs');
    const env = await setup();
    const r = node(`bench/${name}.js`, args, { env: { ...process.env, NODE_EXTRA_CA_CERTS: env.caFile, REDIS_URL: env.redisUrl } });
    process.exit(r.status);
  },
  async 'db:migrate'() {
    const { setup } = require('./lib/setup.cjs');
    const env = await setup();
    const r = node('tools/db/migrate.js', [], { env: { ...process.env, DATABASE_URL: env.databaseUrl } });
    process.exit(r.status);
  },
  async 'db:diff'(...args) {
    const { setup } = require('./lib/setup.cjs');
    const env = await setup();
    const r = node('tools/db/diff.js', args, { env: { ...process.env, DATABASE_URL: env.databaseUrl } });
    process.exit(r.status);
  },
  'secrets:rewrap': secretsCommand('tools/secrets-rewrap.js'),
  'secrets:set': secretsCommand('tools/secrets-set.js'),
  'secrets:list': secretsCommand('tools/secrets-list.js'),
  async 'key:create'(...args) {
    const { setup } = require('./lib/setup.cjs');
    const env = await setup();
    const r = node('tools/key-create.js', args, { env: { ...process.env, DATABASE_URL: env.databaseUrl } });
    process.exit(r.status);
  },
};

async function main() {
  loadDotEnv();
  const [cmd, ...args] = process.argv.slice(2);
  const fn = commands[cmd];
  if (!fn) fail(`unknown command "${cmd}". Commands: ${Object.keys(commands).join(', ')}`);
  await fn(...args);
}

main().catch((e) => {
  log(process.env.DEBUG && e && e.stack ? e.stack : `ERROR: ${e && e.message ? e.message : String(e)}`);
  process.exit(1);
});

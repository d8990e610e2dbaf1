// `npm run demo`: set-up, then the real end-to-end demo (tools/demo/demo.ts) against both simulators.
const { spawn } = require('node:child_process');
const { root } = require('./proc.cjs');
const { setup, adminUrl } = require('./setup.cjs');

async function demoCommand() {
  const base = await setup();
  const env = {
    ...process.env,
    NODE_ENV: 'development',
    // The demo creates (and re-creates on every run) its own database, orchestrator_demo, on this server.
    DATABASE_URL: adminUrl(base.databaseUrl),
    REDIS_URL: base.redisUrl,
    QUEUE_PREFIX: process.env.QUEUE_PREFIX || '{orch-demo}',
    NODE_EXTRA_CA_CERTS: base.caFile,
    LOG_FORMAT: 'json',
    LOG_LEVEL: process.env.LOG_LEVEL || 'warn',
  };
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', './tools/alias-register.cjs', 'dist/tools/demo/demo.js'], { cwd: root, env, stdio: 'inherit' });
    for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
    child.on('exit', (c) => resolve(c ?? 1));
  });
  process.exit(code);
}

module.exports = { demoCommand };

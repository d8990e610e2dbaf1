// `npm test`: set-up, test database template, lint, typecheck, every jest project, and the closing line
// `tests: N passed, N failed` computed from jest's JSON results.
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { root, log } = require('./proc.cjs');
const { setup, adminUrl } = require('./setup.cjs');

function runAsync(label, cmd, args, env) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => resolve({ label, code: code ?? 1, out, seconds: (Date.now() - started) / 1000 }));
  });
}

/** `.local/test-logs/<run-id>/`, a fresh directory per run; only the newest few runs are kept. */
function testLogDir() {
  const base = path.join(root, '.local', 'test-logs');
  fs.mkdirSync(base, { recursive: true });
  const old = fs.readdirSync(base).sort().slice(0, -4);
  for (const d of old) fs.rmSync(path.join(base, d), { recursive: true, force: true });
  const dir = path.join(base, `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`);
  fs.mkdirSync(dir);
  return dir;
}

async function testCommand() {
  const env0 = await setup();
  const bin = (n) => path.join(root, 'node_modules', '.bin', n);
  const env = {
    ...process.env,
    NODE_ENV: 'test',
    NODE_EXTRA_CA_CERTS: env0.caFile,
    TEST_DATABASE_ADMIN_URL: process.env.TEST_DATABASE_ADMIN_URL || adminUrl(env0.databaseUrl),
    REDIS_URL: env0.redisUrl,
    LOG_LEVEL: process.env.LOG_LEVEL || 'warn',
    LOG_FORMAT: 'json',
  };
  const tpl = await runAsync('test database template', process.execPath, ['-r', './tools/alias-register.cjs', 'dist/tools/db/prepare-test-template.js'], env);
  if (tpl.code !== 0) {
    process.stdout.write(tpl.out);
    log('preparing the test database template failed');
    process.stdout.write('tests: 0 passed, 1 failed\n');
    process.exit(1);
  }
  log(tpl.out.trim().split('\n').pop());

  // @nx/enforce-module-boundaries reads Nx's cached project graph and silently skips when there is none:
  // compute it first (also picks up tag changes).
  const graph = await runAsync('nx project graph', bin('nx'), ['show', 'projects'], { ...env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' });
  if (graph.code !== 0) {
    process.stdout.write(graph.out);
    log('computing the Nx project graph failed');
  }
  log('lint and typecheck…');
  const checks = await Promise.all([
    runAsync('lint (eslint)', bin('eslint'), ['.', '--max-warnings=0'], env),
    runAsync('typecheck (tsc)', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit'], env),
  ]);
  for (const c of checks) {
    log(`${c.label}: ${c.code === 0 ? 'ok' : 'FAILED'} (${c.seconds.toFixed(1)} s)`);
    if (c.code !== 0) process.stdout.write(c.out);
  }

  const resultsFile = path.join(root, '.local', 'jest-results.json');
  fs.rmSync(resultsFile, { force: true });
  // Everything the run writes — jest's own output (its workers' included) and every process the test harnesses
  // spawn (libs/testing appends theirs here) — is kept per run and scanned for seeded secrets afterwards.
  const logDir = testLogDir();
  log(`jest: unit, int and e2e projects… (all output kept in ${path.relative(root, logDir)})`);
  const jestArgs = ['--ci', '--json', `--outputFile=${resultsFile}`, '--maxWorkers=2', ...process.argv.slice(3)];
  const jest = await new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'node_modules', 'jest', 'bin', 'jest.js'), ...jestArgs], {
      cwd: root,
      // No FORCE_COLOR to keep jest's colours through the pipe: every worker and child process would inherit it, and
      // tests that read a child's log lines expect them without escape codes.
      env: { ...env, TEST_LOG_DIR: logDir },
      stdio: ['inherit', 'pipe', 'pipe'],
    });
    const file = fs.createWriteStream(path.join(logDir, 'jest-output.log'));
    child.stdout.on('data', (d) => (process.stdout.write(d), file.write(d)));
    child.stderr.on('data', (d) => (process.stderr.write(d), file.write(d)));
    child.on('close', (code) => file.end(() => resolve(code ?? 1)));
  });
  const scan = await runAsync('secret scan', process.execPath, ['-r', './tools/alias-register.cjs', 'dist/tools/secrets-scan-test-logs.js'], {
    ...env,
    TEST_LOG_DIR: logDir,
  });
  process.stdout.write(scan.out);

  let passed = 0;
  let failed = 0;
  if (fs.existsSync(resultsFile)) {
    const r = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
    passed = r.numPassedTests;
    // A suite that fails to load runs no test: count it as a failure so it cannot hide.
    failed = r.numFailedTests + r.numRuntimeErrorTestSuites;
  } else {
    failed = 1;
  }
  // The whole-run secret scan counts as one more test.
  if (scan.code === 0) passed++;
  else failed++;
  const checksOk = checks.every((c) => c.code === 0);
  if (!checksOk) log(`failed checks: ${checks.filter((c) => c.code !== 0).map((c) => c.label).join(', ')}`);
  process.stdout.write(`tests: ${passed} passed, ${failed} failed\n`);
  process.exit(jest === 0 && failed === 0 && checksOk && passed > 0 ? 0 : 1);
}

module.exports = { testCommand };

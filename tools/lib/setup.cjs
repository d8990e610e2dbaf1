// Idempotent set-up shared by `npm test`, `npm run demo` and `npm run stack`: dependencies, Prisma client,
// build, local TLS, PostgreSQL and Redis. Each step checks a stamp or the live state first, so a second run
// costs a few seconds.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { root, log, fail, run, which, tcpOpen, waitFor } = require('./proc.cjs');

const local = path.join(root, '.local');
const stampDir = path.join(local, 'stamps');

function hashFiles(files) {
  const h = crypto.createHash('sha256');
  for (const f of files) h.update(fs.existsSync(f) ? fs.readFileSync(f) : `missing:${f}`);
  return h.digest('hex');
}

function stamped(name, hash, doIt) {
  fs.mkdirSync(stampDir, { recursive: true });
  const file = path.join(stampDir, name);
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === hash) return false;
  doIt();
  fs.writeFileSync(file, hash);
  return true;
}

function ensureNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) fail(`Node.js >= 20.19 is required (found ${process.versions.node}).`);
}

function ensureDependencies() {
  const files = [path.join(root, 'package.json'), path.join(root, 'package-lock.json')];
  const stamp = path.join(stampDir, 'deps');
  const installed = fs.existsSync(path.join(root, 'node_modules', '.package-lock.json'));
  if (installed && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === hashFiles(files)) {
    return log('dependencies up to date');
  }
  // `npm install` rather than `npm ci`: the lock file pins every version, but the registry reachable here lacks
  // some other platforms' optional binaries (e.g. @swc/core-darwin-*), which makes `npm ci` refuse the lock.
  log('installing npm dependencies (npm install, from package-lock.json)…');
  const r = run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error']);
  if (r.status !== 0) fail('npm install failed: is the npm registry reachable?');
  fs.mkdirSync(stampDir, { recursive: true });
  // Hash after installing: npm may have normalised the lock file.
  fs.writeFileSync(stamp, hashFiles(files));
}

function ensurePrismaClient() {
  const schema = path.join(root, 'prisma', 'schema.prisma');
  const out = path.join(root, 'libs', 'db', 'src', 'generated', 'client.ts');
  if (!fs.existsSync(out)) fs.rmSync(path.join(stampDir, 'prisma'), { force: true });
  const did = stamped('prisma', hashFiles([schema, path.join(root, 'package-lock.json')]), () => {
    log('generating the Prisma client…');
    // `prisma generate` does not run the schema engine, but the CLI insists on finding one; it cannot be
    // downloaded here, so point it at a placeholder file (migrations use the wasm engine: tools/db).
    fs.mkdirSync(local, { recursive: true });
    const placeholder = path.join(local, 'schema-engine-placeholder');
    if (!fs.existsSync(placeholder)) fs.writeFileSync(placeholder, '');
    const env = { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: placeholder, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' };
    const r = run(path.join(root, 'node_modules', '.bin', 'prisma'), ['generate'], { env, quiet: true });
    if (r.status !== 0) fail(`prisma generate failed:\n${r.stdout}\n${r.stderr}`);
  });
  if (!did) log('Prisma client up to date');
}

// Tests run from source under jest; a half-written test must not break the apps' build.
const IGNORE_TESTS = '**/*.spec.ts,**/*.int-spec.ts,**/*.e2e-spec.ts,**/test-support/**';

function build() {
  const r = run(path.join(root, 'node_modules', '.bin', 'swc'), ['apps', 'libs', 'tools', 'bench', '-d', 'dist', '--config-file', '.swcrc', '--copy-files', '--quiet', '--ignore', IGNORE_TESTS], { quiet: true });
  if (r.status !== 0) fail(`build (swc) failed:\n${r.stdout}\n${r.stderr}`);
  log('built dist/ (swc)');
}

function ensureCertificates() {
  const r = run(process.execPath, ['-r', './tools/alias-register.cjs', 'dist/tools/certs.js'], { quiet: true });
  if (r.status !== 0) fail(`creating local certificates failed:\n${r.stderr}`);
  log(r.stdout.trim());
  return path.join(local, 'certs', 'ca.pem');
}

const asRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function aptInstall(pkgs) {
  if (!asRoot() || !which('apt-get')) return false;
  log(`installing ${pkgs.join(', ')} from Debian packages…`);
  if (run('apt-get', ['update', '-qq'], { quiet: true }).status !== 0) return false;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  return run('apt-get', ['install', '-y', '-qq', ...pkgs], { env, quiet: true }).status === 0;
}

function startLocalPostgres() {
  if (!fs.existsSync('/etc/postgresql') || !which('pg_ctlcluster')) return false;
  for (const version of fs.readdirSync('/etc/postgresql')) {
    log(`starting PostgreSQL ${version} (pg_ctlcluster)…`);
    run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { quiet: true });
  }
  return true;
}

/** Debian's default pg_hba asks for passwords on TCP; a cluster we installed ourselves gets local trust. */
function trustLocalConnections() {
  for (const version of fs.readdirSync('/etc/postgresql')) {
    const hba = `/etc/postgresql/${version}/main/pg_hba.conf`;
    const text = fs.readFileSync(hba, 'utf8');
    if (!text.includes('# vb365-orchestrator')) {
      fs.writeFileSync(hba, `# vb365-orchestrator: local development trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n${text}`);
      run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'reload'], { quiet: true });
    }
  }
}

async function ensurePostgres(databaseUrl) {
  const u = new URL(databaseUrl);
  const host = u.hostname;
  const port = Number(u.port || 5432);
  const up = () => tcpOpen(host, port);
  if (await up()) return log(`PostgreSQL reachable at ${host}:${port}`);
  const isLocal = ['127.0.0.1', 'localhost', '::1'].includes(host);
  if (!isLocal) fail(`PostgreSQL at ${host}:${port} (DATABASE_URL) is not reachable. Start it or fix DATABASE_URL.`);
  if (startLocalPostgres() && (await waitFor(up, 20_000))) return log('PostgreSQL started');
  if (aptInstall(['postgresql'])) {
    startLocalPostgres();
    if (await waitFor(up, 30_000)) {
      trustLocalConnections();
      return log('PostgreSQL installed and started');
    }
  }
  fail(
    `PostgreSQL is not reachable at ${host}:${port} and could not be started or installed.\n` +
      '  Provide one: set DATABASE_URL to a reachable server, or install PostgreSQL (as root: apt-get install postgresql).',
  );
}

async function ensureRedis(redisUrl) {
  const u = new URL(redisUrl);
  const host = u.hostname;
  const port = Number(u.port || 6379);
  const up = () => tcpOpen(host, port);
  if (await up()) return log(`Redis reachable at ${host}:${port}`);
  const isLocal = ['127.0.0.1', 'localhost', '::1'].includes(host);
  if (!isLocal) fail(`Redis at ${host}:${port} (REDIS_URL) is not reachable. Start it or fix REDIS_URL.`);
  const start = () => {
    if (!which('redis-server')) return false;
    log('starting redis-server…');
    fs.mkdirSync(path.join(local, 'redis'), { recursive: true });
    const args = ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'];
    args.push('--dir', path.join(local, 'redis'), '--logfile', path.join(local, 'redis', 'redis.log'));
    return run('redis-server', args, { quiet: true }).status === 0;
  };
  if (start() && (await waitFor(up, 10_000))) return log('Redis started');
  if (aptInstall(['redis-server']) && start() && (await waitFor(up, 10_000))) return log('Redis installed and started');
  fail(
    `Redis is not reachable at ${host}:${port} and could not be started or installed.\n` +
      '  Provide one: set REDIS_URL to a reachable server, or install Redis (as root: apt-get install redis-server).',
  );
}

const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/orchestrator';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** Runs every set-up step; returns the environment later steps and child processes need. */
async function setup() {
  const started = Date.now();
  ensureNode();
  ensureDependencies();
  ensurePrismaClient();
  build();
  const ca = ensureCertificates();
  const databaseUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  const redisUrl = process.env.REDIS_URL || DEFAULT_REDIS_URL;
  await ensurePostgres(databaseUrl);
  await ensureRedis(redisUrl);
  log(`set-up done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { databaseUrl, redisUrl, caFile: ca };
}

/** postgresql://…/<db> → the same server's maintenance database, for CREATE DATABASE. */
function adminUrl(databaseUrl) {
  const u = new URL(databaseUrl);
  u.pathname = '/postgres';
  return u.toString();
}

module.exports = { setup, adminUrl, hashFiles, DEFAULT_DATABASE_URL };

/** For start:<app>: install if needed and rebuild, without touching services. */
module.exports.buildOnly = function buildOnly() {
  ensureNode();
  ensureDependencies();
  ensurePrismaClient();
  build();
  ensureCertificates();
};

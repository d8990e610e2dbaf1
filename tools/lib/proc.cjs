// Small process helpers for the set-up scripts (plain CommonJS: they run before node_modules exists).
const { spawnSync, spawn } = require('node:child_process');
const net = require('node:net');

const root = require('node:path').resolve(__dirname, '..', '..');

function log(msg) {
  process.stdout.write(`[setup] ${msg}\n`);
}

function fail(msg) {
  process.stderr.write(`\n[setup] ERROR: ${msg}\n`);
  process.exit(2);
}

/** Runs a command, inheriting output; returns the exit status. */
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: opts.quiet ? 'pipe' : 'inherit', cwd: root, env: opts.env ?? process.env, encoding: 'utf8' });
  if (r.error && opts.throwOnMissing !== false) return { status: 127, stdout: '', stderr: String(r.error) };
  return { status: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function which(bin) {
  const r = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Resolves when host:port accepts a TCP connection within timeoutMs. */
function tcpOpen(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (ok) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

async function waitFor(check, timeoutMs, intervalMs = 250) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return false;
}

/** Starts a long-running child that prints `<MARKER> {json}` when ready; resolves with the parsed JSON. */
function startService(name, args, env, marker, timeoutMs = 60_000) {
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = (line) => `  ${name.padEnd(9)}| ${line}`;
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not become ready in ${timeoutMs} ms\n${out.slice(-3000)}`)), timeoutMs);
    const onData = (d) => {
      const text = d.toString();
      out += text;
      const m = new RegExp(`${marker} (\\{.*\\})`).exec(out);
      if (m && !child.readyInfo) {
        clearTimeout(timer);
        child.readyInfo = JSON.parse(m[1]);
        resolve({ child, info: child.readyInfo, output: () => out });
      }
      if (process.env.STACK_VERBOSE === '1' || child.readyInfo === undefined) return;
      for (const line of text.split('\n').filter(Boolean)) if (child.echo) process.stdout.write(prefix(line) + '\n');
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d) => {
      out += d.toString();
      if (child.echo) for (const line of d.toString().split('\n').filter(Boolean)) process.stderr.write(prefix(line) + '\n');
    });
    child.once('exit', (code) => {
      if (!child.readyInfo) {
        clearTimeout(timer);
        reject(new Error(`${name} exited with ${code} before it was ready:\n${out.slice(-3000)}`));
      }
    });
  });
}

function stopChild(child, timeoutMs = 15_000) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(t);
      resolve(code);
    });
    child.kill('SIGTERM');
  });
}

module.exports = { root, log, fail, run, which, tcpOpen, waitFor, startService, stopChild };

import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { sleep } from '@app/common';

/**
 * A PostgreSQL cluster and a Redis server of our own, in a temp directory on free ports, that a test or the chaos
 * run may stop, crash and restart at will without touching the machine's shared services. Both are removed by
 * `stop()`; an exit hook removes them too if the process ends without calling it.
 */
export interface ManagedService {
  port: number;
  dir: string;
  /** Stops the service (`crash`: SIGKILL / immediate shutdown), waits `downMs`, starts it again on the same port and data. */
  restart(opts?: { crash?: boolean; downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

export interface ManagedPostgres extends ManagedService {
  /** Superuser URL of the `postgres` database. */
  adminUrl: string;
  /** URL of `database` on this cluster. */
  urlFor(database: string): string;
}

export interface ManagedRedis extends ManagedService {
  url: string;
}

export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const cleanups = new Set<() => void>();
let exitHookInstalled = false;
function onExit(fn: () => void): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => cleanups.forEach((c) => c()));
  }
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

/** SIGKILLs a child process if this process exits without stopping it (Ctrl-C, an uncaught error). */
export function killOnExit(child: ChildProcess): void {
  const off = onExit(() => child.kill('SIGKILL'));
  child.once('exit', off);
}

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} not ready in ${timeoutMs} ms`);
    await sleep(100);
  }
}

/**
 * Redis with AOF persistence (`appendonly yes`, `appendfsync everysec`), as production Redis for BullMQ should run:
 * a restart keeps the queues. A graceful restart (SIGTERM) fsyncs the AOF; a crash (SIGKILL) may lose the last second.
 */
export async function startManagedRedis(): Promise<ManagedRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'chaos-redis-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--daemonize', 'no', '--logfile', join(dir, 'redis.log')];
  let child: ChildProcess | undefined;
  const ping = async (): Promise<boolean> => {
    const out = execFileSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.trim() === 'PONG';
  };
  const start = async () => {
    child = spawn('redis-server', args, { stdio: 'ignore' });
    await waitFor(`redis-server on ${port}`, ping, 15_000);
  };
  const halt = (signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return resolve();
      c.once('exit', () => resolve());
      c.kill(signal);
    });
  const off = onExit(() => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  await start();
  return {
    port,
    dir,
    url: `redis://127.0.0.1:${port}`,
    async restart(opts = {}) {
      await halt(opts.crash ? 'SIGKILL' : 'SIGTERM');
      await sleep(opts.downMs ?? 0);
      await start();
    },
    async stop() {
      await halt('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      off();
    },
  };
}

/** Postgres refuses to run as root: as root, the cluster belongs to the `postgres` system user. */
function asClusterOwner(cmd: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

function run(cmd: string, args: string[]): void {
  const [c, a] = asClusterOwner(cmd, args);
  execFileSync(c, a, { stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * A PostgreSQL 15 cluster (initdb + pg_ctl) in a temp directory on a free port, trust auth for `postgres`.
 * `fsync=off` only matters for an operating-system crash; a Postgres crash (immediate shutdown) still recovers
 * every committed transaction from the WAL, which is what the chaos run exercises.
 */
export async function startManagedPostgres(): Promise<ManagedPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'chaos-pg-'));
  const data = join(dir, 'data');
  const sock = join(dir, 'sock');
  mkdirSync(sock);
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
    chownSync(sock, uid, gid);
  }
  const port = await freePort();
  run(join(PG_BIN, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale', 'C']);
  const opts = `-p ${port} -k ${sock} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300 -c shared_buffers=128MB`;
  const adminUrl = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  const ready = async () => {
    const c = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 2000 });
    c.on('error', () => undefined); // a server going down between the query and end() (see chaos.ts query)
    try {
      await c.connect();
      await c.query('SELECT 1');
      return true;
    } finally {
      await c.end().catch(() => undefined);
    }
  };
  const start = async () => {
    run(join(PG_BIN, 'pg_ctl'), ['-D', data, '-l', join(dir, 'postgres.log'), '-o', opts, '-w', '-t', '30', 'start']);
    await waitFor(`postgres on ${port}`, ready, 30_000);
  };
  const halt = (mode: 'immediate' | 'fast') => {
    try {
      run(join(PG_BIN, 'pg_ctl'), ['-D', data, '-m', mode, '-w', '-t', '30', 'stop']);
    } catch {
      // not running
    }
  };
  const off = onExit(() => {
    halt('immediate');
    rmSync(dir, { recursive: true, force: true });
  });
  try {
    await start();
  } catch (error) {
    halt('immediate');
    rmSync(dir, { recursive: true, force: true });
    off();
    throw error;
  }
  return {
    port,
    dir,
    adminUrl,
    urlFor: (database) => `postgresql://postgres@127.0.0.1:${port}/${database}`,
    async restart(o = {}) {
      halt(o.crash ? 'immediate' : 'fast');
      await sleep(o.downMs ?? 0);
      await start();
    },
    async stop() {
      halt('immediate');
      rmSync(dir, { recursive: true, force: true });
      off();
    },
  };
}

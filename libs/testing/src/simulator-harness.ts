import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '@app/common';
import { nodeArgsFromEnv } from './process-harness';
import { collectProcessOutput } from './test-logs';

export type SimulatorName = 'entra-sim' | 'vb365-sim';

export interface RunningSimulator {
  name: SimulatorName;
  /** Base URLs announced by the simulator, e.g. { identity, graph } for entra-sim, { api } for vb365-sim. */
  urls: Record<string, string>;
  /** Calls the simulator's /_sim admin API on `urls[base]` and returns the parsed JSON (or undefined for 204). */
  admin<T = unknown>(path: string, body?: unknown, method?: string, base?: string): Promise<T>;
  stop(): Promise<void>;
  process: ChildProcess;
}

/**
 * Starts a simulator as a real child process from the swc build in dist/ (built by `npm test` before jest
 * runs), on ephemeral ports, and waits for its `SIM_READY {json}` line. HTTPS is trusted through
 * NODE_EXTRA_CA_CERTS, which the test runner sets for every jest worker.
 */
export async function startSimulator(
  name: SimulatorName,
  env: Record<string, string> = {},
  timeoutMs = 20_000,
): Promise<RunningSimulator> {
  const root = repoRoot();
  // SIM_NODE_ARGS adds node/V8 flags to the simulators (diagnostics, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
  const child = spawn(
    process.execPath,
    [...nodeArgsFromEnv('SIM_NODE_ARGS'), '-r', join(root, 'tools', 'alias-register.cjs'), join(root, 'dist', 'apps', name, 'src', 'main.js')],
    { cwd: root, env: { ...process.env, SIM_HOST: '127.0.0.1', SIM_PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  collectProcessOutput(name, child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const urls = await new Promise<Record<string, string>>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start in ${timeoutMs} ms: ${stderr}`)), timeoutMs);
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /SIM_READY (\{.*\})/.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve(JSON.parse(m[1]!) as Record<string, string>);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready: ${stderr}`));
    });
  });
  const firstUrl = Object.values(urls)[0]!;
  return {
    name,
    urls,
    process: child,
    async admin<T>(path: string, body?: unknown, method?: string, base?: string): Promise<T> {
      const url = (base ? urls[base] : firstUrl) + path;
      const res = await fetch(url, {
        method: method ?? (body === undefined ? 'GET' : 'POST'),
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${name} ${method ?? ''} ${path} answered ${res.status}: ${text}`);
      return (text ? JSON.parse(text) : undefined) as T;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

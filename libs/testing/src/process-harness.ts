import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '@app/common';
import { collectProcessOutput } from './test-logs';
import { registerSecretsFromEnv } from './test-secrets';

export interface ReadyProcess<T> {
  info: T;
  process: ChildProcess;
  /** Everything the process wrote so far (stdout + stderr), for assertions on logs. */
  output(): string;
  /** SIGTERM, then SIGKILL after killAfterMs; resolves with the exit code (null when killed by a signal). */
  stop(killAfterMs?: number): Promise<number | null>;
}

/** Node/V8 flags from an environment variable (space-separated), for diagnostics such as `--cpu-prof`. */
export function nodeArgsFromEnv(name: string): string[] {
  return process.env[name]?.split(' ').filter(Boolean) ?? [];
}

/**
 * Spawns `dist/<script>` (built by `npm test` before jest runs) as a real child process and waits for the line
 * `<marker> {json}` it prints when ready.
 */
export async function spawnReady<T>(
  script: string,
  marker: string,
  env: Record<string, string>,
  timeoutMs = 30_000,
  execArgv: string[] = [],
): Promise<ReadyProcess<T>> {
  const root = repoRoot();
  registerSecretsFromEnv(env);
  const child = spawn(process.execPath, [...execArgv, '-r', join(root, 'tools', 'alias-register.cjs'), join(root, 'dist', script)], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  collectProcessOutput(script.replace(/\.js$/, ''), child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const info = await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} not ready in ${timeoutMs} ms:\n${out.slice(-4000)}`)), timeoutMs);
    const onData = (): void => {
      const m = new RegExp(`${marker} (\\{.*\\})`).exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve(JSON.parse(m[1]!) as T);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} before it was ready:\n${out.slice(-4000)}`));
    });
  });
  return {
    info,
    process: child,
    output: () => out,
    stop: (killAfterMs = 20_000) =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
        const t = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        child.once('exit', (code) => {
          clearTimeout(t);
          resolve(code);
        });
        child.kill('SIGTERM');
      }),
  };
}

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '@app/common';
import { CONFIG_VARIABLES, REQUIRED_VARIABLES } from '@app/config';

/**
 * docker/ cannot be run on the development machines (no Docker engine), so it is kept correct by construction
 * and by this test: compose only sets variables the config schema knows, sets every required one, and every
 * Dockerfile target starts a file that the build produces.
 */
const root = repoRoot();
const compose = parse(readFileSync(join(root, 'docker', 'compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, { environment?: Record<string, string>; profiles?: string[]; build?: { target: string } }>;
};
const dockerfile = readFileSync(join(root, 'docker', 'Dockerfile'), 'utf8');
const simVariable = /^(SIM_|ENTRA_SIM_|VB365_SIM_)/;

describe('docker/ consistency', () => {
  const productServices = ['api', 'worker'];

  it.each(productServices)('%s sets only variables the config schema reads, and all required ones', (name) => {
    const env = compose.services[name]!.environment ?? {};
    const unknown = Object.keys(env).filter((k) => !CONFIG_VARIABLES.includes(k) && k !== 'NODE_EXTRA_CA_CERTS');
    expect(unknown).toEqual([]);
    const missing = REQUIRED_VARIABLES.filter((k) => !(k in env));
    expect(missing).toEqual([]);
  });

  it('the migrate service gets a DATABASE_URL', () => {
    expect(compose.services['migrate']!.environment?.['DATABASE_URL']).toMatch(/^postgresql:\/\//);
  });

  it('simulators run under the sims profile and set only simulator variables', () => {
    for (const name of ['entra-sim', 'vb365-sim']) {
      const svc = compose.services[name]!;
      expect(svc.profiles).toContain('sims');
      expect(Object.keys(svc.environment ?? {}).filter((k) => !simVariable.test(k))).toEqual([]);
    }
  });

  it('the worker image starts the worker with the V8 flags of apps/worker/node-flags.cjs', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { WORKER_NODE_FLAGS } = require(join(root, 'apps', 'worker', 'node-flags.cjs')) as { WORKER_NODE_FLAGS: string[] };
    const worker = /^FROM \S+ AS worker$([\s\S]*?)(?=^FROM |(?![\s\S]))/m.exec(dockerfile)?.[1] ?? '';
    const cmd = /^CMD (\[.*\])$/m.exec(worker)?.[1];
    expect(cmd).toBeDefined();
    expect(JSON.parse(cmd!)).toEqual(['node', ...WORKER_NODE_FLAGS, '-r', './tools/alias-register.cjs', 'dist/apps/worker/src/main.js']);
  });

  it('the runtime stage the api and worker images build on sets the process environment of apps/worker/node-flags.cjs', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { SERVICE_PROCESS_ENV } = require(join(root, 'apps', 'worker', 'node-flags.cjs')) as { SERVICE_PROCESS_ENV: Record<string, string> };
    const runtime = /^FROM \S+ AS runtime$([\s\S]*?)(?=^FROM )/m.exec(dockerfile)?.[1] ?? '';
    const env = Object.fromEntries([...runtime.matchAll(/^ENV (.+)$/gm)].flatMap((m) => m[1]!.split(/\s+/).map((kv) => kv.split('=') as [string, string])));
    expect(Object.keys(SERVICE_PROCESS_ENV).length).toBeGreaterThan(0);
    for (const [name, value] of Object.entries(SERVICE_PROCESS_ENV)) expect({ name, value: env[name] }).toEqual({ name, value });
    for (const target of ['api', 'worker']) expect(dockerfile).toMatch(new RegExp(`^FROM runtime AS ${target}$`, 'm'));
  });

  it('every compose build target exists in the Dockerfile, and every target starts a built file', () => {
    const targets = [...dockerfile.matchAll(/^FROM \S+ AS (\S+)$/gm)].map((m) => m[1]);
    for (const t of ['api', 'worker', 'entra-sim', 'vb365-sim', 'migrate']) expect(targets).toContain(t);
    for (const svc of Object.values(compose.services)) if (svc.build) expect(targets).toContain(svc.build.target);
    for (const m of dockerfile.matchAll(/"dist\/([^"]+)\.js"/g)) {
      expect(existsSync(join(root, `${m[1]}.ts`))).toBe(true);
    }
  });
});

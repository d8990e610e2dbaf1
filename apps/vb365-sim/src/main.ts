/* vb365-sim launcher: reads the environment once, builds the simulator and announces SIM_READY. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@app/common';
import { listenSim } from '@app/sim-kit';
import { seedInput } from './store/seed.schema';
import { buildVb365Sim } from './vb365-sim.app';

const num = (v: string | undefined, fallback: number): number => (v === undefined || v === '' ? fallback : Number(v));

async function main(): Promise<void> {
  const env = process.env;
  const certs = join(repoRoot(), '.local', 'certs');
  const seedFile = env.VB365_SIM_SEED_FILE;
  const sim = await buildVb365Sim({
    tls: { certFile: env.SIM_TLS_CERT ?? join(certs, 'server.pem'), keyFile: env.SIM_TLS_KEY ?? join(certs, 'server-key.pem') },
    username: env.VB365_SIM_USERNAME ?? 'VB365\\restadmin',
    password: env.VB365_SIM_PASSWORD ?? 'dev-only-Passw0rd!',
    tokenLifetimeSeconds: num(env.VB365_SIM_TOKEN_LIFETIME_SECONDS, 3600),
    maxConcurrent: num(env.VB365_SIM_MAX_CONCURRENT, 0),
    changeFeedRetention: num(env.VB365_SIM_CHANGE_RETENTION, 100_000),
    maxLongPollSeconds: num(env.VB365_SIM_MAX_LONG_POLL_SECONDS, 30),
    seed: seedFile ? seedInput.parse(JSON.parse(readFileSync(seedFile, 'utf8'))) : undefined,
    contractSpecPath: env.VB365_SIM_CONTRACT_SPEC || undefined,
  });
  // SIM_PORT (the harness uses 0 = ephemeral) wins over the simulator's own port variable.
  const port = num(env.SIM_PORT ?? env.VB365_SIM_PORT, 4443);
  const url = await listenSim(sim.app, env.SIM_HOST ?? '127.0.0.1', port);
  console.log(`SIM_READY ${JSON.stringify({ api: url })}`);
  const shutdown = (): void => {
    sim.app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((err: unknown) => {
  console.error('vb365-sim failed to start', err);
  process.exit(1);
});

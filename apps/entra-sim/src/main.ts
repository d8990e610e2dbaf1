/* entra-sim launcher: reads the environment, starts both HTTPS listeners, announces SIM_READY. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@app/common';
import { seedSchema } from './directory/seed.schema';
import { applySeed } from './directory/seed.service';
import { startEntraSim } from './entra-sim.app';

async function main(): Promise<void> {
  const certs = join(repoRoot(), '.local', 'certs');
  const ephemeral = process.env.SIM_PORT === '0';
  const sim = await startEntraSim({
    host: process.env.SIM_HOST ?? '127.0.0.1',
    identityPort: ephemeral ? 0 : Number(process.env.ENTRA_SIM_IDENTITY_PORT ?? 9441),
    graphPort: ephemeral ? 0 : Number(process.env.ENTRA_SIM_GRAPH_PORT ?? 9442),
    tls: { certFile: process.env.SIM_TLS_CERT ?? join(certs, 'server.pem'), keyFile: process.env.SIM_TLS_KEY ?? join(certs, 'server-key.pem') },
  });
  const seedFile = process.env.ENTRA_SIM_SEED_FILE;
  if (seedFile) applySeed(sim.ctx.store, seedSchema.parse(JSON.parse(readFileSync(seedFile, 'utf8'))));
  console.log(`SIM_READY ${JSON.stringify(sim.urls)}`);
  const stop = (): void => {
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

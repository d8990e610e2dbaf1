/* Skeleton: starts the simulator over HTTPS and answers /_sim/health. Filled in by the simulator's issue. */
import { join } from 'node:path';
import { repoRoot } from '@app/common';
import { createSimServer, listenSim } from '@app/sim-kit';

async function main(): Promise<void> {
  const certs = join(repoRoot(), '.local', 'certs');
  const app = createSimServer({
    name: 'entra-sim',
    tls: { certFile: process.env.SIM_TLS_CERT ?? join(certs, 'server.pem'), keyFile: process.env.SIM_TLS_KEY ?? join(certs, 'server-key.pem') },
  });
  const url = await listenSim(app, process.env.SIM_HOST ?? '127.0.0.1', Number(process.env.SIM_PORT ?? 0));
  console.log(`SIM_READY ${JSON.stringify({ api: url })}`);
}

void main();

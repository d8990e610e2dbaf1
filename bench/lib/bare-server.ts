/**
 * The reference server of the API and webhook benchmarks: Fastify with routes that do nothing, run as its own
 * process like the api, over the same transport (plain HTTP on loopback). Prints `BARE_READY {"url": ...}`.
 */
import Fastify from 'fastify';

async function main(): Promise<void> {
  const app = Fastify({ logger: false });
  const tenant = { id: '00000000-0000-4000-8000-000000000000', displayName: 'Bare', status: 'active', tags: [] as string[] };
  app.get('/v1/tenants/:id', async () => tenant);
  app.get('/v1/tenants', async () => ({ items: Array.from({ length: 50 }, () => tenant), nextCursor: null }));
  app.post('/v1/webhooks/:source', async (_req, reply) => reply.code(202).send({ accepted: true }));
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  console.log(`BARE_READY ${JSON.stringify({ url })}`);
  const stop = (): void => void app.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

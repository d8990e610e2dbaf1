import 'reflect-metadata';
import { ConfigError, loadConfig } from '@app/config';
import { createApiApp, drainState } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApiApp(config);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    drainState.draining = true;
    // Drain: stop accepting, let in-flight requests finish, then close queues, Redis and Prisma (module hooks).
    // A bound keeps a stuck request from blocking a deploy forever.
    const timer = setTimeout(() => {
      console.error(`api: shutdown exceeded ${config.api.shutdownTimeoutMs} ms after ${signal}; exiting`);
      process.exit(1);
    }, config.api.shutdownTimeoutMs);
    timer.unref();
    app
      .close()
      .then(() => process.exit(0))
      .catch((e: unknown) => {
        console.error('api: error during shutdown', e);
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  await app.listen({ host: config.api.host, port: config.api.port });
  const url = await app.getUrl();
  console.log(`API_READY ${JSON.stringify({ url: url.replace('[::1]', '127.0.0.1') })}`);
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(78); // EX_CONFIG
  }
  console.error('api: failed to start', e);
  process.exit(1);
});

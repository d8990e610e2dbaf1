import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@app/config';
import { deleteQueueKeys, testQueuePrefix } from '@app/testing';
import { once } from 'node:events';
import { QUEUE_NAMES } from './job-catalogue';
import { JobProducer } from './job-producer.service';
import { JobsModule } from './jobs.module';

@Module({ imports: [JobsModule.forRoot()] })
class QueuesOnlyModule {}

/**
 * Closing an application right after it started must not crash it: BullMQ 5 drops a still-initializing
 * connection's listeners on close and then emits the init's "Connection is closed" as an unhandled 'error'
 * (a CI run failed that way). JobProducer waits for the queues to be ready before they are closed.
 */
describe('JobsModule shutdown right after start', () => {
  const prefix = testQueuePrefix();
  const saved = { QUEUE_PREFIX: process.env['QUEUE_PREFIX'], DATABASE_URL: process.env['DATABASE_URL'] };
  const unhandled: unknown[] = [];
  const record = (reason: unknown) => unhandled.push(reason);

  beforeAll(() => {
    // Configuration needs a database URL; nothing here connects to it.
    Object.assign(process.env, { QUEUE_PREFIX: prefix, DATABASE_URL: process.env['DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/unused' });
    process.on('unhandledRejection', record);
  });

  afterAll(async () => {
    process.off('unhandledRejection', record);
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await deleteQueueKeys(loadConfig().redis.url, prefix);
  });

  it('closes freshly started contexts without an unhandled connection error', async () => {
    for (let i = 0; i < 5; i++) {
      const app = await NestFactory.createApplicationContext(QueuesOnlyModule, { logger: false });
      // Close in the window that crashed: the socket is ready, BullMQ's own version check is still in flight.
      const producer = app.get(JobProducer);
      const clients = QUEUE_NAMES.map((name) => (producer.queue(name) as unknown as { connection: { _client: { status: string } } }).connection._client);
      await Promise.all(clients.map((c) => (c.status === 'ready' ? Promise.resolve() : once(c as unknown as NodeJS.EventEmitter, 'ready'))));
      await app.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(unhandled.map(String)).toEqual([]);
  });
});

import 'reflect-metadata';
import { getHeapStatistics } from 'node:v8';
import { NestFactory } from '@nestjs/core';
import { HealthCheckService } from '@nestjs/terminus';
import { Logger } from 'nestjs-pino';
import { ConfigError, loadConfig } from '@app/config';
import { PrismaService } from '@app/db';
import { JobProducer } from '@app/jobs';
import { MetricsService } from '@app/platform';
import { startWorkerHttp } from './http/worker-http.server';
import { PROCESSORS, WorkerModule } from './worker.module';
import { closeWorkersWithin } from './shutdown';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await NestFactory.createApplicationContext(WorkerModule, { bufferLogs: true });
  const logger = app.get(Logger);
  app.useLogger(logger);
  const heapLimitMiB = Math.round(getHeapStatistics().heap_size_limit / 1024 / 1024);
  if (heapLimitMiB > 1024) {
    // Without apps/worker/node-flags.cjs V8 sizes the heap for the machine and RSS grows far past the live heap.
    logger.warn(`worker heap limit ${heapLimitMiB} MiB: started without its V8 flags (apps/worker/node-flags.cjs)`);
  }
  const processors = PROCESSORS.map((p) => app.get(p));
  const metrics = app.get(MetricsService);
  const producer = app.get(JobProducer);
  metrics.addQueueDepthSource(() => producer.depths());
  for (const p of processors) {
    p.worker.on('error', (err) => logger.error({ err }, 'BullMQ worker error'));
  }
  let stopping = false;
  const http = await startWorkerHttp(config, {
    health: app.get(HealthCheckService),
    prisma: app.get(PrismaService),
    metrics,
    processors,
    queueProbe: () => producer.queue('system').getJobCounts('waiting'),
    isStopping: () => stopping,
  });
  const addr = http.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.worker.healthPort;

  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.log(
      `${signal} received: no new jobs; finishing active ones within ${config.worker.shutdownTimeoutMs} ms`,
    );
    closeWorkersWithin(
      processors.map((p) => p.worker),
      config.worker.shutdownTimeoutMs,
    )
      .then(async (outcome) => {
        if (outcome === 'released') {
          // Closing the Nest context would wait for the active jobs again (BullMQ's close); exit instead.
          logger.warn(
            'workers closed (released): active jobs exceeded the shutdown bound; their locks expire and another worker takes them',
          );
          return;
        }
        logger.log('workers closed (drained); closing queues, Redis and Prisma');
        await app.close();
      })
      .then(
        () =>
          new Promise<void>((resolve) => {
            http.closeAllConnections();
            http.close(() => resolve());
          }),
      )
      .then(() => process.exit(0))
      .catch((e: unknown) => {
        console.error('worker: error during shutdown', e);
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  console.log(`WORKER_READY ${JSON.stringify({ url: `http://${config.worker.host}:${port}` })}`);
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(78);
  }
  console.error('worker: failed to start', e);
  process.exit(1);
});

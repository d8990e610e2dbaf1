import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { HealthCheckService } from '@nestjs/terminus';
import { AppConfig } from '@app/config';
import { PrismaService } from '@app/db';
import { checkWithTimeout, MetricsService } from '@app/platform';
import { WorkerHost } from '@nestjs/bullmq';

const CHECK_TIMEOUT_MS = 2_000;

export interface WorkerHttpDeps {
  health: HealthCheckService;
  prisma: PrismaService;
  metrics: MetricsService;
  processors: WorkerHost[];
  /** A cheap Redis round trip through BullMQ's connection. */
  queueProbe: () => Promise<unknown>;
  isStopping: () => boolean;
}

/**
 * The worker's only HTTP surface: /health/live, /health/ready (Postgres, Redis, BullMQ workers running) and
 * /metrics. A plain node:http server: the worker is an application context, not a web app.
 */
export function startWorkerHttp(config: AppConfig, deps: WorkerHttpDeps): Promise<Server> {
  const send = (res: ServerResponse, status: number, body: string, type = 'application/json'): void => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
  };
  const ready = async (): Promise<{ status: number; body: unknown }> => {
    try {
      const result = await deps.health.check([
        () => checkWithTimeout('postgres', () => deps.prisma.ping(), CHECK_TIMEOUT_MS),
        () =>
          checkWithTimeout('redis', () => deps.queueProbe(), CHECK_TIMEOUT_MS),
        () =>
          Promise.resolve({
            workers: deps.processors.every((p) => p.worker.isRunning()) && !deps.isStopping()
              ? { status: 'up' as const, count: deps.processors.length }
              : { status: 'down' as const, message: deps.isStopping() ? 'shutting down' : 'a BullMQ worker is not running' },
          }),
      ]);
      return { status: 200, body: result };
    } catch (e) {
      const body = typeof e === 'object' && e && 'getResponse' in e && typeof e.getResponse === 'function' ? e.getResponse() : { status: 'error' };
      return { status: 503, body };
    }
  };
  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return send(res, 405, JSON.stringify({ status: 405, title: 'Method not allowed' }));
    if (path === '/health/live' || path === '/health') return send(res, 200, JSON.stringify({ status: 'ok' }));
    if (path === '/health/ready') {
      const r = await ready();
      return send(res, r.status, JSON.stringify(r.body));
    }
    if (path === '/metrics') {
      const m = await deps.metrics.render();
      return send(res, 200, m.body, m.contentType);
    }
    send(res, 404, JSON.stringify({ status: 404, title: 'Not found' }));
  };
  const server = createServer((req, res) => {
    handler(req, res).catch(() => send(res, 500, JSON.stringify({ status: 500, title: 'Internal error' })));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.worker.healthPort, config.worker.host, () => resolve(server));
  });
}

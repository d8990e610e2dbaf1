import { readFileSync } from 'node:fs';
import Fastify, { FastifyInstance } from 'fastify';

export interface SimTls {
  certFile: string;
  keyFile: string;
}

export interface SimServerOptions {
  name: string;
  tls: SimTls;
  /** Log requests (off by default: simulators are hammered by benchmarks). */
  logger?: boolean;
  bodyLimit?: number;
}

/**
 * An HTTPS Fastify server with the endpoints every simulator shares: GET /_sim/health.
 * Simulators register their own routes on the returned instance, then call `listen`.
 */
export function createSimServer(opts: SimServerOptions): FastifyInstance {
  const app = Fastify({
    https: { cert: readFileSync(opts.tls.certFile), key: readFileSync(opts.tls.keyFile) },
    logger: opts.logger ?? false,
    bodyLimit: opts.bodyLimit ?? 10 * 1024 * 1024,
    // Real services answer paths case-insensitively in places (Entra tenant segment); routes decide themselves.
    routerOptions: { caseSensitive: true },
    keepAliveTimeout: 65_000,
  });
  const startedAt = new Date().toISOString();
  app.get('/_sim/health', async () => ({ status: 'ok', simulator: opts.name, startedAt }));
  return app;
}

export async function listenSim(app: FastifyInstance, host: string, port: number): Promise<string> {
  await app.listen({ host, port });
  const addr = app.server.address();
  const actualPort = typeof addr === 'object' && addr ? addr.port : port;
  return `https://${host}:${actualPort}`;
}

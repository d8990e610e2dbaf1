import { NestFactory } from '@nestjs/core';
import { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppConfig } from '@app/config';
import { JobProducer } from '@app/jobs';
import { ApiError, CORRELATION_HEADER, correlationIdFor, createValidationPipe, MetricsService, ProblemFilter } from '@app/platform';
import { AppModule } from './app.module';
import { ApiKeyService } from './auth/api-key.service';
import { mountBullBoard } from './queues/bull-board';

/** Set when shutdown starts: responses then carry `Connection: close` so keep-alive clients let go. */
export const drainState = { draining: false };

export async function createApiApp(config: AppConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.api.bodyLimitBytes,
    // Close idle keep-alive sockets at shutdown so draining does not wait for them.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    genReqId: correlationIdFor,
    // req.ip (recorded in activity_log.client_ip) follows X-Forwarded-For only from proxies TRUST_PROXY names.
    trustProxy: config.api.trustProxy,
    // Errors raised by Fastify's router before Nest sees the request (malformed URL, over-long path parameter)
    // answer problem+json like every other error (issue 8 fuzz test), without echoing the hostile URL.
    frameworkErrors: (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
      const problem = new ProblemFilter().toProblem(
        new ApiError('BAD_REQUEST', err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'A path parameter is too long.' : 'The URL is malformed.'),
        { url: req.url, id: req.id },
      );
      void reply.status(problem.status).header('content-type', 'application/problem+json').send(problem);
    },
  });
  // rawBody: inbound webhooks verify their signature over the exact bytes received (req.rawBody).
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, adapter, { bufferLogs: true, rawBody: true });
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(createValidationPipe());

  const metrics = app.get(MetricsService);
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', async (req, reply) => {
    reply.header(CORRELATION_HEADER, req.id);
  });
  fastify.addHook('onSend', async (_req, reply) => {
    if (drainState.draining) reply.header('connection', 'close');
  });
  fastify.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.httpDuration.observe(
      { method: req.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  const producer = app.get(JobProducer);
  metrics.addQueueDepthSource(() => producer.depths());

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('VB365 Restore Portal orchestrator')
      .setDescription(
        'Onboards MSP customer tenants to the VB365 Restore Portal. Authenticate with `Authorization: Bearer <API key>`. ' +
          'Errors are RFC 9457 problem+json.',
      )
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key (ok_…)' })
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  await mountBullBoard(fastify, producer, app.get(ApiKeyService));
  return app;
}

import { randomUUID } from 'node:crypto';
import { IncomingMessage } from 'node:http';
import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig, APP_CONFIG, ConfigModule } from '@app/config';
import { pinoOptions } from './logger';

export const CORRELATION_HEADER = 'x-request-id';
const VALID_ID = /^[A-Za-z0-9._:-]{1,128}$/;

type WithId = IncomingMessage & { id?: string };

/**
 * Accepts a well-formed incoming X-Request-Id and generates one otherwise. Used as Fastify's genReqId (so
 * request.id is the correlation id) and remembered on the raw request, where pino-http's genReqId finds the same
 * value for the request logger. The api returns it in the X-Request-Id response header.
 */
export function correlationIdFor(req: IncomingMessage): string {
  const raw = req as WithId;
  if (raw.id) return raw.id;
  const incoming = req.headers[CORRELATION_HEADER];
  const id = typeof incoming === 'string' && VALID_ID.test(incoming) ? incoming : randomUUID();
  raw.id = id;
  return id;
}

@Module({})
export class LoggingModule {
  static forApp(name: string): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          imports: [ConfigModule],
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => ({
            pinoHttp: {
              ...pinoOptions(config, name),
              genReqId: correlationIdFor,
              customProps: (req: IncomingMessage) => ({ correlationId: (req as WithId).id }),
              autoLogging: { ignore: (req: IncomingMessage) => (req.url ?? '').startsWith('/health') },
              serializers: {
                req: (req: { method?: string; url?: string }) => ({ method: req.method, url: req.url }),
                res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
              },
            },
          }),
        }),
      ],
      exports: [LoggerModule],
    };
  }
}

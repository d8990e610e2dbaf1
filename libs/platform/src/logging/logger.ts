import pino, { Logger, LoggerOptions } from 'pino';
import { AppConfig } from '@app/config';
import { REDACT_PATHS } from './redaction';

/** pino options shared by the api (through nestjs-pino) and the worker. */
export function pinoOptions(config: Pick<AppConfig, 'log'>, name: string): LoggerOptions {
  return {
    name,
    level: config.log.level,
    redact: { paths: REDACT_PATHS, censor: '[Redacted]' },
    base: { app: name },
    timestamp: pino.stdTimeFunctions.isoTime,
    transport:
      config.log.format === 'pretty'
        ? { target: 'pino-pretty', options: { colorize: false, singleLine: true, translateTime: 'SYS:HH:MM:ss.l' } }
        : undefined,
  };
}

export function createLogger(config: Pick<AppConfig, 'log'>, name: string): Logger {
  return pino(pinoOptions(config, name));
}

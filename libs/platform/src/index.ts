export * from './errors/api-errors';
export * from './errors/problem.filter';
export * from './errors/validation';
export * from './health/readiness';
export * from './logging/logger';
export * from './logging/logging.module';
export * from './logging/redaction';
export * from './metrics/metrics.service';

export * from './job-catalogue';
export * from './job-producer.service';
export * from './jobs.module';
export * from './queue-settings';
export * from './redis-options';

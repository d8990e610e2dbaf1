import { DynamicModule, Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { AppConfig, APP_CONFIG, ConfigModule } from '@app/config';
import { QUEUE_NAMES } from './job-catalogue';
import { JobProducer } from './job-producer.service';
import { queueJobOptions } from './queue-settings';
import { redisOptionsFromUrl } from './redis-options';

/**
 * BullMQ on Redis with the configured prefix. The prefix is a Redis Cluster hash tag ({orch} by default) so
 * every key of a queue lands in one slot and the same code runs on Redis Cluster.
 */
@Module({})
export class JobsModule {
  static forRoot(): DynamicModule {
    return {
      module: JobsModule,
      global: true,
      imports: [
        BullModule.forRootAsync({
          imports: [ConfigModule],
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => ({
            connection: redisOptionsFromUrl(config.redis.url),
            prefix: config.redis.queuePrefix,
          }),
        }),
        // Queue defaults carry the retention too: job schedulers' jobs take them (they have no per-add options).
        ...QUEUE_NAMES.map((name) => BullModule.registerQueue({ name, defaultJobOptions: queueJobOptions(name) })),
      ],
      providers: [JobProducer],
      exports: [JobProducer, BullModule],
    };
  }
}

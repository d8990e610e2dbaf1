import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { AppConfig, APP_CONFIG } from '@app/config';
import { PrismaClient } from './generated/client';
import { activityRequestContextExtension } from './repositories/request-context';

/**
 * The Prisma client on the `pg` driver adapter (Prisma 7 has no Rust query engine, so nothing is downloaded).
 * Closed explicitly at shutdown, after the queues (STYLE.md 12).
 */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super({ adapter: new PrismaPg({ connectionString: config.database.url, max: 10 }) });
    // Activity rows written during an API request get its client IP, key id and correlation id (request-context.ts).
    // The extended client proxies this one, so the methods below and every model stay available to injectors.
    return this.$extends(activityRequestContextExtension) as unknown as this;
  }

  async ping(): Promise<void> {
    await this.$queryRawUnsafe('SELECT 1');
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
  }
}

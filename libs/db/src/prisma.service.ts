import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { AppConfig, APP_CONFIG } from '@app/config';
import { PrismaClient } from './generated/client';
import { activityRequestContextExtension } from './repositories/request-context';

/** Distinct statements named per process; beyond this, statements go unnamed (bounded per-connection caches). */
export const MAX_NAMED_STATEMENTS = 1000;

/**
 * Names each distinct SQL text once (`s1`, `s2`, …): node-postgres then prepares it once per connection and later
 * sends only Bind/Execute, so Postgres skips parsing and, after a few runs, planning. Prisma's adapter sends every
 * statement unnamed otherwise. The map is bounded: statements whose text varies without end (long IN lists) stop
 * getting names once MAX_NAMED_STATEMENTS are known.
 */
export function statementNames(max = MAX_NAMED_STATEMENTS): (query: { sql: string }) => string | undefined {
  const names = new Map<string, string>();
  return ({ sql }) => {
    let name = names.get(sql);
    if (name === undefined && names.size < max) {
      name = `s${names.size + 1}`;
      names.set(sql, name);
    }
    return name;
  };
}

/**
 * The Prisma client on the `pg` driver adapter (Prisma 7 has no Rust query engine, so nothing is downloaded).
 * Closed explicitly at shutdown, after the queues (STYLE.md 12).
 */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super({
      adapter: new PrismaPg(
        { connectionString: config.database.url, max: 10 },
        // The adapter's type wants a string; undefined is passed through to pg as "no name" (unnamed statement).
        config.database.preparedStatements ? { statementNameGenerator: statementNames() as (query: { sql: string }) => string } : {},
      ),
    });
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

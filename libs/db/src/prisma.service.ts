import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { AppConfig, APP_CONFIG } from '@app/config';
import { Prisma, PrismaClient } from './generated/client';
import { activityRequestContextExtension } from './repositories/request-context';

/** Distinct statements named per process; beyond this, statements go unnamed (bounded per-connection caches). */
export const MAX_NAMED_STATEMENTS = 1000;

/**
 * Names each distinct SQL text once (`s1`, `s2`, …): node-postgres then prepares it once per connection and later
 * sends only Bind/Execute, so Postgres skips parsing and, after a few runs, planning. Prisma's adapter sends every
 * statement unnamed otherwise. The map is bounded: statements whose text varies without end (long IN lists) stop
 * getting names once MAX_NAMED_STATEMENTS are known. Another generator on the same connections needs its own
 * `prefix` (the audit pool's statements: libs/audit/src/audit-sql.ts).
 */
export function statementNames(max = MAX_NAMED_STATEMENTS, prefix = 's'): (query: { sql: string }) => string | undefined {
  const names = new Map<string, string>();
  return ({ sql }) => {
    let name = names.get(sql);
    if (name === undefined && names.size < max) {
      name = `${prefix}${names.size + 1}`;
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
  /** The adapter's connection pool (created here so `direct` can use it; ended by $disconnect). */
  private readonly pool: Pool;
  private readonly names?: (query: { sql: string }) => string | undefined;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const pool = new Pool({ connectionString: config.database.url, max: 10 });
    // An idle connection dropped by Postgres (a restart) emits 'error' on the pool; without a listener that is an
    // uncaught exception. The adapter adds its own listener only once Prisma runs its first query, and `direct` may
    // come first; the next query on the pool reports the failure to its caller either way.
    pool.on('error', () => undefined);
    const names = config.database.preparedStatements ? statementNames() : undefined;
    super({
      adapter: new PrismaPg(pool, {
        disposeExternalPool: true,
        // The adapter's type wants a string; undefined is passed through to pg as "no name" (unnamed statement).
        ...(names ? { statementNameGenerator: names as (query: { sql: string }) => string } : {}),
      }),
    });
    this.pool = pool;
    this.names = names;
    // Activity rows written during an API request get its client IP, key id and correlation id (request-context.ts).
    // The extended client proxies this one, so the methods below and every model stay available to injectors.
    return this.$extends(activityRequestContextExtension) as unknown as this;
  }

  /**
   * Runs one raw statement straight on the adapter's pool, with the same statement names: for the few statements on
   * the path of every onboarding step (the run engine's bookkeeping), where Prisma's raw-query path cost about
   * 0.09 ms more CPU per statement than node-postgres's own (docs/database.md "Statements on the hot path").
   * Values go to node-postgres as given (strings, numbers, booleans, Dates, null); rows come back as node-postgres
   * parses them (json → objects, timestamptz → Date). Errors are node-postgres's (SQLSTATE `code`), which
   * classifyStepError already knows from the audit pool.
   */
  async direct<T = Record<string, unknown>>(sql: Prisma.Sql): Promise<{ rows: T[]; rowCount: number }> {
    const text = sql.text;
    const name = this.names?.({ sql: text });
    const r = await this.pool.query({ text, values: sql.values as unknown[], ...(name ? { name } : {}) });
    return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
  }

  async ping(): Promise<void> {
    await this.$queryRawUnsafe('SELECT 1');
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
    // $disconnect ends the pool through the adapter, which exists only once Prisma itself ran a query.
    if (!this.pool.ended) await this.pool.end();
  }
}

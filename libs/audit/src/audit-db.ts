import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Pool } from 'pg';
import { AppConfig, APP_CONFIG } from '@app/config';
import { AuditPartitions } from './audit-partitions';
import { AuditWriter } from './audit-writer';
import { SyncCursorStore } from './sync-cursor.store';

/**
 * A plain `pg` pool for the audit table: bulk `unnest` inserts, streaming cursors and partition DDL are outside what
 * Prisma does well. Prisma still owns the schema (docs/audit.md).
 */
@Injectable()
export class AuditDb implements OnModuleDestroy {
  private readonly logger = new Logger(AuditDb.name);
  readonly pool: Pool;
  readonly writer: AuditWriter;
  readonly cursors: SyncCursorStore;
  readonly partitions: AuditPartitions;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.pool = new Pool({ connectionString: config.database.url, max: 10 });
    // A Postgres restart ends every connection: without listeners, the 'error' of an idle pooled client or of a
    // checked-out one between queries (a cursor lock held during a sync) is an uncaught exception that kills the
    // process (found by npm run chaos). The next query on such a client fails and reports it.
    this.pool.on('error', (e) => this.logger.warn(`idle audit database connection lost: ${e.message}`));
    this.pool.on('connect', (client) => client.on('error', (e) => this.logger.warn(`audit database connection lost: ${e.message}`)));
    const preparedStatements = config.database.preparedStatements;
    this.writer = new AuditWriter(this.pool, { preparedStatements });
    this.cursors = new SyncCursorStore(this.pool, undefined, { preparedStatements });
    this.partitions = new AuditPartitions(this.pool);
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.end();
  }
}

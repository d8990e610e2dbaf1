import { Injectable } from '@nestjs/common';
import { Prisma, Tenant, TenantStatus } from '../generated/client';
import { PrismaService } from '../prisma.service';
import { containsPattern, pickRow, selectColumns, TENANT_COLUMNS } from '../rows';
import { TenantScope, tenantWhere } from '../tenant-scope';

export interface TenantListQuery {
  status?: TenantStatus;
  tag?: string;
  text?: string;
  excluded?: boolean;
  /** Opaque cursor: the id of the last tenant of the previous page. */
  after?: string;
  limit: number;
}

/** Who asked for a change: every mutation writes an activity_log row with these, in the same transaction. */
export interface ActivityContext {
  actor: string;
  correlationId: string;
}

export type TenantCreateData = Pick<
  Prisma.TenantUncheckedCreateInput,
  | 'entraTenantId'
  | 'primaryDomain'
  | 'displayName'
  | 'tags'
  | 'excluded'
  | 'status'
  | 'consentMode'
  | 'retentionDays'
  | 'roleDriftMode'
  | 'consentDriftMode'
  | 'syncIntervalMinutes'
>;

export type TenantPatch = Partial<
  Pick<
    Tenant,
    | 'displayName'
    | 'tags'
    | 'excluded'
    | 'consentMode'
    | 'retentionDays'
    | 'roleDriftMode'
    | 'consentDriftMode'
    | 'syncIntervalMinutes'
  >
>;

/** Why a tenant cannot be deleted (see deleteIfRemovable). */
export type TenantDeleteBlocker =
  | { kind: 'active_run'; runId: string }
  | { kind: 'status'; status: TenantStatus }
  | { kind: 'owned_roles'; count: number };

/** Statuses in which the product may have changed something in the tenant or VB365: offboard first. */
const UNDELETABLE_STATUSES: readonly TenantStatus[] = [
  'onboarding',
  'active',
  'consent_revoked',
  'offboarding',
];

type Db = Prisma.TransactionClient;

const TENANT_SELECT = selectColumns('t', TENANT_COLUMNS);

/** tenantWhere as SQL on alias `t`: any of the scope's tags (`hasSome`), or every tenant. */
function scopeSql(scope: TenantScope): Prisma.Sql {
  return scope.tags.length ? Prisma.sql`t.tags && ${[...scope.tags]}::text[]` : Prisma.sql`TRUE`;
}



@Injectable()
export class TenantRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** One tenant within the scope; inside a transaction pass its client (`db`), otherwise it is one direct statement. */
  async findById(scope: TenantScope, id: string, db?: Db): Promise<Tenant | null> {
    if (db) return db.tenant.findFirst({ where: { AND: [{ id }, tenantWhere(scope)] } });
    const { rows } = await this.prisma.direct(Prisma.sql`SELECT ${TENANT_SELECT} FROM tenants t WHERE t.id = ${id}::uuid AND ${scopeSql(scope)}`);
    return rows[0] ? pickRow<Tenant>(rows[0], TENANT_COLUMNS) : null;
  }

  /**
   * Unscoped on purpose: registering a tenant must detect a duplicate even when the caller's key cannot see the
   * existing row. Callers decide how much of the answer the key may learn (tags are returned for that).
   */
  findByEntraTenantId(entraTenantId: string): Promise<Pick<Tenant, 'id' | 'tags'> | null> {
    return this.prisma.tenant.findUnique({ where: { entraTenantId }, select: { id: true, tags: true } });
  }

  /**
   * Cursor pagination ordered by id (stable under inserts); fetches limit+1 to know whether a next page exists.
   * One direct statement: a page of 50 tenants cost about 1 ms of api CPU through Prisma's row mapping
   * (docs/database.md "Statements on the hot path").
   */
  async list(
    scope: TenantScope,
    q: TenantListQuery,
  ): Promise<{ items: Tenant[]; nextCursor: string | null }> {
    const where: Prisma.Sql[] = [scopeSql(scope)];
    if (q.status) where.push(Prisma.sql`t.status = ${q.status}::"TenantStatus"`);
    if (q.tag) where.push(Prisma.sql`t.tags @> ARRAY[${q.tag}]::text[]`);
    if (q.excluded !== undefined) where.push(Prisma.sql`t.excluded = ${q.excluded}`);
    if (q.text) {
      const pattern = containsPattern(q.text);
      where.push(Prisma.sql`(t.display_name ILIKE ${pattern} OR t.primary_domain ILIKE ${pattern})`);
    }
    if (q.after) where.push(Prisma.sql`t.id > ${q.after}::uuid`);
    const { rows } = await this.prisma.direct(
      Prisma.sql`SELECT ${TENANT_SELECT} FROM tenants t WHERE ${Prisma.join(where, ' AND ')} ORDER BY t.id LIMIT ${q.limit + 1}::int`,
    );
    const items = rows.slice(0, q.limit).map((r) => pickRow<Tenant>(r, TENANT_COLUMNS));
    return { items, nextCursor: rows.length > q.limit ? items[items.length - 1]!.id : null };
  }

  /** Inserts the tenant and its `tenant.created` activity row; a duplicate entraTenantId throws Prisma P2002. */
  async create(db: Db, data: TenantCreateData, who: ActivityContext): Promise<Tenant> {
    const tenant = await db.tenant.create({ data });
    await this.log(db, who, 'tenant.created', tenant.id, {
      entraTenantId: tenant.entraTenantId,
      primaryDomain: tenant.primaryDomain,
      displayName: tenant.displayName,
      tags: tenant.tags,
      excluded: tenant.excluded,
      consentMode: tenant.consentMode,
      retentionDays: tenant.retentionDays,
      roleDriftMode: tenant.roleDriftMode,
      consentDriftMode: tenant.consentDriftMode,
      syncIntervalMinutes: tenant.syncIntervalMinutes,
    });
    return tenant;
  }

  /**
   * Applies a patch within the caller's scope and records what changed (from → to). Returns null when the tenant
   * is not visible; an empty change set writes nothing.
   */
  update(scope: TenantScope, id: string, patch: TenantPatch, who: ActivityContext): Promise<Tenant | null> {
    return this.prisma.$transaction(async (db) => {
      const current = await this.lockVisible(db, scope, id);
      if (!current) return null;
      const changes: Record<string, { from: Prisma.InputJsonValue | null; to: Prisma.InputJsonValue | null }> = {};
      for (const field of Object.keys(patch) as (keyof TenantPatch)[]) {
        const to = patch[field];
        if (to !== undefined && JSON.stringify(current[field]) !== JSON.stringify(to))
          changes[field] = { from: current[field], to };
      }
      if (!Object.keys(changes).length) return current;
      const updated = await db.tenant.update({ where: { id }, data: patch });
      await this.log(db, who, 'tenant.updated', id, { changes });
      return updated;
    });
  }

  /**
   * Deletes a tenant that the product has not (or no longer) changed anything for: no active run, not in a status
   * where grants, a service principal or VB365 roles may exist, and owning no VB365 role. The row is locked
   * first, so a run being inserted concurrently (its foreign key takes a share lock on the tenant) either
   * commits before and blocks the delete, or fails after it.
   */
  deleteIfRemovable(
    scope: TenantScope,
    id: string,
    who: ActivityContext,
  ): Promise<{ deleted: Tenant } | { blocker: TenantDeleteBlocker } | null> {
    return this.prisma.$transaction(async (db) => {
      const tenant = await this.lockVisible(db, scope, id);
      if (!tenant) return null;
      const active = await db.run.findUnique({ where: { activeTenantId: id }, select: { id: true } });
      if (active) return { blocker: { kind: 'active_run', runId: active.id } as const };
      if (UNDELETABLE_STATUSES.includes(tenant.status))
        return { blocker: { kind: 'status', status: tenant.status } as const };
      const owned = await db.ownedVb365Role.count({ where: { tenantId: id } });
      if (owned) return { blocker: { kind: 'owned_roles', count: owned } as const };
      await db.tenant.delete({ where: { id } });
      await this.log(db, who, 'tenant.deleted', id, {
        entraTenantId: tenant.entraTenantId,
        displayName: tenant.displayName,
        status: tenant.status,
      });
      return { deleted: tenant };
    });
  }

  /** The activity_log row of a tenant mutation, in the caller's transaction. */
  async log(
    db: Db,
    who: ActivityContext,
    action: string,
    tenantId: string | null,
    details: Prisma.InputJsonObject,
  ): Promise<void> {
    await db.activityLog.create({
      data: { actor: who.actor, action, tenantId, correlationId: who.correlationId, details },
    });
  }

  private async lockVisible(db: Db, scope: TenantScope, id: string): Promise<Tenant | null> {
    await db.$queryRaw`SELECT id FROM tenants WHERE id = ${id}::uuid FOR UPDATE`;
    return this.findById(scope, id, db);
  }
}

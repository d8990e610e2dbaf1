import { Injectable } from '@nestjs/common';
import { Prisma, Tenant, TenantStatus } from '../generated/client';
import { PrismaService } from '../prisma.service';
import { TenantScope, tenantWhere } from '../tenant-scope';

export interface TenantListQuery {
  status?: TenantStatus;
  tag?: string;
  text?: string;
  /** Opaque cursor: the id of the last tenant of the previous page. */
  after?: string;
  limit: number;
}

@Injectable()
export class TenantRepository {
  constructor(private readonly prisma: PrismaService) {}

  findById(scope: TenantScope, id: string): Promise<Tenant | null> {
    return this.prisma.tenant.findFirst({ where: { AND: [{ id }, tenantWhere(scope)] } });
  }

  /** Cursor pagination ordered by id (stable under inserts); fetches limit+1 to know whether a next page exists. */
  async list(scope: TenantScope, q: TenantListQuery): Promise<{ items: Tenant[]; nextCursor: string | null }> {
    const filters: Prisma.TenantWhereInput[] = [tenantWhere(scope)];
    if (q.status) filters.push({ status: q.status });
    if (q.tag) filters.push({ tags: { has: q.tag } });
    if (q.text) {
      filters.push({
        OR: [
          { displayName: { contains: q.text, mode: 'insensitive' } },
          { primaryDomain: { contains: q.text, mode: 'insensitive' } },
        ],
      });
    }
    if (q.after) filters.push({ id: { gt: q.after } });
    const rows = await this.prisma.tenant.findMany({ where: { AND: filters }, orderBy: { id: 'asc' }, take: q.limit + 1 });
    const items = rows.slice(0, q.limit);
    return { items, nextCursor: rows.length > q.limit ? items[items.length - 1]!.id : null };
  }
}

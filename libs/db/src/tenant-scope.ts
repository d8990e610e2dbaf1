import { Prisma } from './generated/client';

/**
 * What a caller may see of the tenants: `tags` empty means every tenant; otherwise only tenants carrying at
 * least one of the tags. Every repository query that touches tenant data takes a scope, so a key restricted to
 * some tenants cannot read others through any route (list, single object, or anything joined to a tenant).
 */
export interface TenantScope {
  tags: readonly string[];
}

export const UNRESTRICTED: TenantScope = { tags: [] };

export function tenantWhere(scope: TenantScope): Prisma.TenantWhereInput {
  return scope.tags.length ? { tags: { hasSome: [...scope.tags] } } : {};
}

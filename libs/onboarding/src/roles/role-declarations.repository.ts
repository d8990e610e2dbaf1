import { Injectable } from '@nestjs/common';
import { OwnedVb365Role, Prisma, PrismaService, RoleSpec, RoleTemplate, TenantRoleTemplate } from '@app/db';
import { DeclaredRole, TenantFacts, expandTemplate, fromStored, parseOverrides } from './role-declaration';
import { nameKey } from './role-state';

export interface EffectiveRoles {
  roles: DeclaredRole[];
  /** Declarations whose name another one already uses (possible when a template changes after a PUT). */
  duplicates: DeclaredRole[];
}

/** The ownership facts a reconcile plans with. */
export type OwnedRoleRow = Pick<OwnedVb365Role, 'vb365RoleId' | 'name'>;

type SpecRow = Pick<RoleSpec, 'name' | 'description' | 'scope' | 'operators' | 'selectedItems' | 'excludedItems' | 'adopt'>;
type UseRow = Pick<TenantRoleTemplate, 'templateName' | 'overrides'>;

/** The tenant's effective declared roles: explicit RoleSpecs, then the templates it uses with their overrides. */
@Injectable()
export class RoleDeclarations {
  constructor(private readonly prisma: PrismaService) {}

  async effective(tenant: TenantFacts & { id: string }, tx: Prisma.TransactionClient = this.prisma): Promise<EffectiveRoles> {
    const [specs, uses] = await Promise.all([
      tx.roleSpec.findMany({ where: { tenantId: tenant.id }, orderBy: { name: 'asc' } }),
      tx.tenantRoleTemplate.findMany({ where: { tenantId: tenant.id }, orderBy: { templateName: 'asc' } }),
    ]);
    return this.combine(tenant, specs, uses, tx);
  }

  /**
   * What a reconcile reads: the effective roles and the tenant's ownership rows, in one statement (three queries on
   * the path of every onboarding were a fifth of its statements).
   */
  async forReconcile(tenant: TenantFacts & { id: string }): Promise<EffectiveRoles & { owned: OwnedRoleRow[] }> {
    const { rows } = await this.prisma.direct<{ specs: SpecRow[]; uses: UseRow[]; owned: OwnedRoleRow[] }>(Prisma.sql`
      SELECT
        (SELECT coalesce(json_agg(json_build_object('name', name, 'description', description, 'scope', scope, 'operators', operators,
            'selectedItems', selected_items, 'excludedItems', excluded_items, 'adopt', adopt) ORDER BY name), '[]'::json)
          FROM role_specs WHERE tenant_id = ${tenant.id}::uuid) AS specs,
        (SELECT coalesce(json_agg(json_build_object('templateName', template_name, 'overrides', overrides) ORDER BY template_name), '[]'::json)
          FROM tenant_role_templates WHERE tenant_id = ${tenant.id}::uuid) AS uses,
        (SELECT coalesce(json_agg(json_build_object('vb365RoleId', vb365_role_id, 'name', name)), '[]'::json)
          FROM owned_vb365_roles WHERE tenant_id = ${tenant.id}::uuid) AS owned`);
    const { specs = [], uses = [], owned = [] } = rows[0] ?? {};
    return { ...(await this.combine(tenant, specs, uses, this.prisma)), owned };
  }

  private async combine(tenant: TenantFacts, specs: SpecRow[], uses: UseRow[], tx: Prisma.TransactionClient): Promise<EffectiveRoles> {
    // Templates are read only when the tenant uses some (Prisma's `include` queried them for every tenant, on the
    // path of every onboarding).
    const templates: RoleTemplate[] = uses.length ? await tx.roleTemplate.findMany({ where: { name: { in: uses.map((u) => u.templateName) } } }) : [];
    const byName = new Map(templates.map((t) => [t.name, t]));
    const all = [
      ...specs.map((s) => fromStored(s)),
      // The foreign key (onDelete: Restrict) keeps every used template present.
      ...uses.map((u) => expandTemplate(byName.get(u.templateName)!, parseOverrides(u.overrides), tenant)),
    ];
    const seen = new Set<string>();
    const roles: DeclaredRole[] = [];
    const duplicates: DeclaredRole[] = [];
    for (const r of all) {
      if (seen.has(nameKey(r.name))) duplicates.push(r);
      else roles.push(r);
      seen.add(nameKey(r.name));
    }
    return { roles, duplicates };
  }
}

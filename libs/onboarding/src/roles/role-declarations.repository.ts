import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService } from '@app/db';
import { DeclaredRole, TenantFacts, expandTemplate, fromStored, parseOverrides } from './role-declaration';
import { nameKey } from './role-state';

export interface EffectiveRoles {
  roles: DeclaredRole[];
  /** Declarations whose name another one already uses (possible when a template changes after a PUT). */
  duplicates: DeclaredRole[];
}

/** The tenant's effective declared roles: explicit RoleSpecs, then the templates it uses with their overrides. */
@Injectable()
export class RoleDeclarations {
  constructor(private readonly prisma: PrismaService) {}

  async effective(tenant: TenantFacts & { id: string }, tx: Prisma.TransactionClient = this.prisma): Promise<EffectiveRoles> {
    const [specs, uses] = await Promise.all([
      tx.roleSpec.findMany({ where: { tenantId: tenant.id }, orderBy: { name: 'asc' } }),
      tx.tenantRoleTemplate.findMany({ where: { tenantId: tenant.id }, orderBy: { templateName: 'asc' } }),
    ]);
    // Templates are read only when the tenant uses some (Prisma's `include` queried them for every tenant, on the
    // path of every onboarding).
    const templates = uses.length ? await tx.roleTemplate.findMany({ where: { name: { in: uses.map((u) => u.templateName) } } }) : [];
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

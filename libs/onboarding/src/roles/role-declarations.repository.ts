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
      tx.tenantRoleTemplate.findMany({ where: { tenantId: tenant.id }, include: { template: true }, orderBy: { templateName: 'asc' } }),
    ]);
    const all = [...specs.map((s) => fromStored(s)), ...uses.map((u) => expandTemplate(u.template, parseOverrides(u.overrides), tenant))];
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

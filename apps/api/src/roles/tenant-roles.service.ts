import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService, Tenant } from '@app/db';
import { FieldProblem, RoleDeclarations, fromStored, parseOverrides } from '@app/onboarding';
import { ApiError } from '@app/platform';
import { AppliedRoleDto, DriftDto, PutRolesDto, TenantRolesDto } from './role.dto';
import { fromRefs, fromScope, toRoleDto, validateTenantRoles } from './role-mapping';

const json = (v: unknown): Prisma.InputJsonValue => v as Prisma.InputJsonValue;

/** Declared roles of one tenant: replace (validated as a whole, stored in one transaction) and read. */
@Injectable()
export class TenantRolesService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly declarations: RoleDeclarations,
  ) {}

  async replace(tenant: Tenant, dto: PutRolesDto, actor: string, correlationId: string): Promise<void> {
    await this.prisma.$transaction((tx) => this.replaceIn(tx, tenant, dto, actor, correlationId));
  }

  /** Field problems of a roles body for a tenant that does not exist yet (POST /v1/tenants), without writing. */
  async check(
    dto: PutRolesDto,
    tenant: Pick<Tenant, 'displayName' | 'primaryDomain'>,
  ): Promise<FieldProblem[]> {
    const names = [...new Set((dto.templates ?? []).map((t) => t.name))];
    const templates = names.length
      ? await this.prisma.roleTemplate.findMany({ where: { name: { in: names } } })
      : [];
    return validateTenantRoles(dto, new Map(templates.map((t) => [t.name, t])), tenant).problems;
  }

  /** Validates and stores the tenant's declared roles inside the caller's transaction. */
  async replaceIn(
    tx: Prisma.TransactionClient,
    tenant: Pick<Tenant, 'id' | 'displayName' | 'primaryDomain'>,
    dto: PutRolesDto,
    actor: string,
    correlationId: string,
  ): Promise<void> {
    const names = [...new Set((dto.templates ?? []).map((t) => t.name))];
    // Locked: a template changed or deleted concurrently must not leave this tenant using a stale or missing one.
    if (names.length) await tx.$queryRaw`SELECT 1 FROM role_templates WHERE name = ANY(${names}) FOR SHARE`;
    const templates = names.length ? await tx.roleTemplate.findMany({ where: { name: { in: names } } }) : [];
    const { problems, roles, uses } = validateTenantRoles(
      dto,
      new Map(templates.map((t) => [t.name, t])),
      tenant,
    );
    if (problems.length) throw ApiError.validation(problems);
    await tx.roleSpec.deleteMany({ where: { tenantId: tenant.id } });
    await tx.roleSpec.createMany({
      data: roles.map((r) => ({
        tenantId: tenant.id,
        name: r.name,
        description: r.description,
        scope: r.scope,
        operators: json(r.operators),
        selectedItems: json(r.selectedItems),
        excludedItems: json(r.excludedItems),
        adopt: r.adopt,
      })),
    });
    await tx.tenantRoleTemplate.deleteMany({ where: { tenantId: tenant.id } });
    await tx.tenantRoleTemplate.createMany({
      data: uses.map((u) => ({ tenantId: tenant.id, templateName: u.name, overrides: json(u.overrides) })),
    });
    await tx.tenant.update({
      where: { id: tenant.id },
      data: { rolesChangedAt: new Date(), ...(dto.driftMode ? { roleDriftMode: dto.driftMode } : {}) },
    });
    await tx.activityLog.create({
      data: {
        actor,
        action: 'roles.declared',
        tenantId: tenant.id,
        correlationId,
        details: json({
          roles: roles.map((r) => r.name),
          templates: uses.map((u) => u.name),
          driftMode: dto.driftMode ?? null,
        }),
      },
    });
  }

  async read(tenantId: string): Promise<TenantRolesDto> {
    const tenant = await this.prisma.tenant.findUniqueOrThrow({ where: { id: tenantId } });
    const [specs, uses, owned, effective] = await Promise.all([
      this.prisma.roleSpec.findMany({ where: { tenantId }, orderBy: { name: 'asc' } }),
      this.prisma.tenantRoleTemplate.findMany({ where: { tenantId }, orderBy: { templateName: 'asc' } }),
      this.prisma.ownedVb365Role.findMany({ where: { tenantId } }),
      this.declarations.effective(tenant),
    ]);
    const ownedByName = new Map(owned.map((o) => [o.name.toLowerCase(), o]));
    return {
      roles: specs.map((s) => toRoleDto(fromStored(s))),
      templates: uses.map((u) => {
        const o = parseOverrides(u.overrides);
        return {
          name: u.templateName,
          overrides: {
            ...o,
            scope: o.scope ? fromScope(o.scope) : undefined,
            operators: o.operators && fromRefs(o.operators),
            selectedItems: o.selectedItems && fromRefs(o.selectedItems),
            excludedItems: o.excludedItems && fromRefs(o.excludedItems),
          },
        };
      }),
      effective: [...effective.roles, ...effective.duplicates].map((r) => {
        const o = ownedByName.get(r.name.toLowerCase());
        return {
          ...toRoleDto(r),
          template: r.template ?? null,
          vb365RoleId: o?.vb365RoleId ?? null,
          adopted: o ? o.adopted : null,
          lastApplied: (o?.lastApplied as unknown as AppliedRoleDto | null) ?? null,
          lastAppliedAt: o?.lastAppliedAt?.toISOString() ?? null,
        };
      }),
      driftMode: tenant.roleDriftMode,
      rolesChangedAt: tenant.rolesChangedAt?.toISOString() ?? null,
      rolesReconciledAt: tenant.rolesReconciledAt?.toISOString() ?? null,
      drift:
        tenant.roleDrift && tenant.roleDriftCheckedAt
          ? ({
              ...(tenant.roleDrift as object),
              checkedAt: tenant.roleDriftCheckedAt.toISOString(),
            } as DriftDto)
          : null,
    };
  }
}

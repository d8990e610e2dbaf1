import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService, RoleTemplate } from '@app/db';
import { fromStored } from '@app/onboarding';
import { ApiError } from '@app/platform';
import { RoleTemplateDto, TemplateInputDto } from './role.dto';
import { fromRefs, fromScope, templateFromDto } from './role-mapping';

const json = (v: unknown): Prisma.InputJsonValue => v as Prisma.InputJsonValue;

function toDto(t: RoleTemplate, tenantCount: number): RoleTemplateDto {
  const r = fromStored(t);
  return {
    name: t.name,
    description: t.description,
    scope: fromScope(t.scope),
    operators: fromRefs(r.operators),
    selectedItems: fromRefs(r.selectedItems),
    excludedItems: fromRefs(r.excludedItems),
    version: t.version,
    tenantCount,
    updatedAt: t.updatedAt.toISOString(),
  };
}

/** Content equality through the parsed form (jsonb does not keep key order, so raw JSON text cannot be compared). */
type Content = { description: string; scope: RoleTemplate['scope']; operators: unknown; selectedItems: unknown; excludedItems: unknown };
function sameContent(a: Content, b: Content): boolean {
  const norm = (x: Content) => {
    const r = fromStored({ ...x, name: '' });
    return JSON.stringify([r.description, r.scope, r.operators, r.selectedItems, r.excludedItems]);
  };
  return norm(a) === norm(b);
}

/**
 * Role templates are MSP-wide: a change reaches every tenant using one, so only keys without a tenant
 * restriction may write them (a tag-restricted key must not change roles of tenants it cannot see).
 */
@Injectable()
export class RoleTemplatesService {
  constructor(private readonly prisma: PrismaService) {}

  async put(name: string, dto: TemplateInputDto, actor: string, correlationId: string): Promise<RoleTemplateDto> {
    if (!name.trim() || name.length > 200) throw ApiError.validation([{ field: 'name', message: 'must be 1 to 200 characters' }]);
    const problems: { field: string; message: string }[] = [];
    const t = templateFromDto(name, dto, problems);
    if (problems.length) throw ApiError.validation(problems);
    const content = { description: t.description, scope: t.scope, operators: json(t.operators), selectedItems: json(t.selectedItems), excludedItems: json(t.excludedItems) };
    return this.prisma.$transaction(async (tx) => {
      // Row lock: two concurrent PUTs bump the version twice, never lose one.
      await tx.$queryRaw`SELECT 1 FROM role_templates WHERE name = ${name} FOR UPDATE`;
      const existing = await tx.roleTemplate.findUnique({ where: { name } });
      let saved: RoleTemplate;
      if (!existing) saved = await tx.roleTemplate.create({ data: { name, ...content } });
      else if (sameContent(existing, t)) saved = existing;
      else {
        saved = await tx.roleTemplate.update({ where: { name }, data: { ...content, version: { increment: 1 } } });
        // Every tenant using the template needs reconciliation (the run engine / scheduler picks them up).
        await tx.tenant.updateMany({ where: { templateUses: { some: { templateName: name } } }, data: { rolesChangedAt: new Date() } });
      }
      if (saved !== existing) {
        await tx.activityLog.create({ data: { actor, action: 'role-template.saved', correlationId, details: json({ name, version: saved.version }) } });
      }
      return toDto(saved, await tx.tenantRoleTemplate.count({ where: { templateName: name } }));
    });
  }

  async get(name: string): Promise<RoleTemplateDto> {
    const t = await this.prisma.roleTemplate.findUnique({ where: { name } });
    if (!t) throw ApiError.notFound('Role template', name);
    return toDto(t, await this.prisma.tenantRoleTemplate.count({ where: { templateName: name } }));
  }

  async list(): Promise<RoleTemplateDto[]> {
    const [templates, counts] = await Promise.all([
      this.prisma.roleTemplate.findMany({ orderBy: { name: 'asc' } }),
      this.prisma.tenantRoleTemplate.groupBy({ by: ['templateName'], _count: { _all: true } }),
    ]);
    const count = new Map(counts.map((c) => [c.templateName, c._count._all]));
    return templates.map((t) => toDto(t, count.get(t.name) ?? 0));
  }

  async delete(name: string, actor: string, correlationId: string): Promise<RoleTemplateDto> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT 1 FROM role_templates WHERE name = ${name} FOR UPDATE`;
      const t = await tx.roleTemplate.findUnique({ where: { name } });
      if (!t) throw ApiError.notFound('Role template', name);
      const uses = await tx.tenantRoleTemplate.findMany({ where: { templateName: name }, select: { tenantId: true }, take: 20 });
      if (uses.length) {
        throw new ApiError('CONFLICT', `Role template ${name} is used by ${uses.length === 20 ? '20 or more' : uses.length} tenant(s).`, {
          hint: 'Remove it from those tenants (PUT /v1/tenants/{id}/restore-operator-roles) first.',
          tenantIds: uses.map((u) => u.tenantId),
        });
      }
      await tx.roleTemplate.delete({ where: { name } });
      await tx.activityLog.create({ data: { actor, action: 'role-template.deleted', correlationId, details: json({ name, version: t.version }) } });
      return toDto(t, 0);
    });
  }
}

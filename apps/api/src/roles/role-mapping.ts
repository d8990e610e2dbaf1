import { RoleScope, RoleTemplate } from '@app/db';
import {
  DeclaredRole,
  FieldProblem,
  ITEM_KINDS,
  RefKind,
  RoleRef,
  TemplateOverrides,
  TenantFacts,
  expandTemplate,
  roleProblems,
  substitute,
} from '@app/onboarding';
import { PutRolesDto, RefDto, RoleDto, RoleFieldsDto, RoleInputDto, ScopeValue, TemplateInputDto, TemplateOverridesDto } from './role.dto';

export const toScope = (s: ScopeValue): RoleScope => (s === 'specific-objects' ? 'specific_objects' : 'entire_organization');
export const fromScope = (s: RoleScope): ScopeValue => (s === 'specific_objects' ? 'specific-objects' : 'entire-organization');

export const fromRef = (r: RoleRef): RefDto => ({ [r.kind]: r.ref });
export const fromRefs = (rs: RoleRef[]): RefDto[] => rs.map(fromRef);

export const toRoleDto = (r: DeclaredRole): RoleDto => ({
  name: r.name,
  description: r.description,
  scope: fromScope(r.scope),
  operators: fromRefs(r.operators),
  selectedItems: fromRefs(r.selectedItems),
  excludedItems: fromRefs(r.excludedItems),
  adopt: r.adopt,
});

/** `{ user: 'x' }` → `{ kind: 'user', ref: 'x' }`; anything but exactly one key is a problem at `path`. */
function toRefs(dtos: RefDto[] | undefined, path: string, problems: FieldProblem[]): RoleRef[] | undefined {
  if (dtos === undefined) return undefined;
  const out: RoleRef[] = [];
  dtos.forEach((d, i) => {
    const keys = ITEM_KINDS.filter((k) => typeof d[k] === 'string');
    if (keys.length !== 1) {
      problems.push({ field: `${path}.${i}`, message: 'must have exactly one of user, group, site, team' });
      return;
    }
    out.push({ kind: keys[0] as RefKind, ref: d[keys[0]!]! });
  });
  return out;
}

function fieldsOf(dto: RoleFieldsDto & { name?: string; scope?: ScopeValue; adopt?: boolean }, path: string, problems: FieldProblem[]): TemplateOverrides {
  const at = (f: string) => (path ? `${path}.${f}` : f);
  const o: TemplateOverrides = {};
  if (dto.name !== undefined) o.name = dto.name;
  if (dto.description !== undefined) o.description = dto.description;
  if (dto.scope !== undefined) o.scope = toScope(dto.scope);
  if (dto.adopt !== undefined) o.adopt = dto.adopt;
  const operators = toRefs(dto.operators, at('operators'), problems);
  const selectedItems = toRefs(dto.selectedItems, at('selectedItems'), problems);
  const excludedItems = toRefs(dto.excludedItems, at('excludedItems'), problems);
  if (operators) o.operators = operators;
  if (selectedItems) o.selectedItems = selectedItems;
  if (excludedItems) o.excludedItems = excludedItems;
  return o;
}

export function roleFromDto(dto: RoleInputDto, path: string, problems: FieldProblem[]): DeclaredRole {
  const f = fieldsOf(dto, path, problems);
  return {
    name: dto.name.trim(),
    description: f.description ?? '',
    scope: toScope(dto.scope),
    operators: f.operators ?? [],
    selectedItems: f.selectedItems ?? [],
    excludedItems: f.excludedItems ?? [],
    adopt: f.adopt ?? false,
  };
}

export function overridesFromDto(dto: TemplateOverridesDto | undefined, path: string, problems: FieldProblem[]): TemplateOverrides {
  return dto ? fieldsOf(dto, path, problems) : {};
}

export function templateFromDto(name: string, dto: TemplateInputDto, problems: FieldProblem[]): Omit<DeclaredRole, 'adopt' | 'template'> {
  const f = fieldsOf(dto, '', problems);
  const role = { name, description: f.description ?? '', scope: toScope(dto.scope), operators: f.operators ?? [], selectedItems: f.selectedItems ?? [], excludedItems: f.excludedItems ?? [] };
  // Placeholders are checked as they will be used: substituted with a sample tenant (an unknown one stays and is named).
  const sample: TenantFacts = { displayName: 'Sample Tenant', primaryDomain: 'sample.example' };
  const sub = (rs: RoleRef[]) => rs.map((r) => ({ kind: r.kind, ref: substitute(r.ref, sample) }));
  problems.push(
    ...roleProblems({ ...role, operators: sub(role.operators), selectedItems: sub(role.selectedItems), excludedItems: sub(role.excludedItems) }, '').filter(
      (p) => p.field !== 'name',
    ),
  );
  return role;
}

/**
 * Validates a whole PUT of a tenant's declared roles against the stored templates; every problem is reported
 * with its field path (`roles.1.selectedItems`, `templates.0.name`, ...), nothing is stored when any exists.
 */
export function validateTenantRoles(
  dto: PutRolesDto,
  templates: Map<string, RoleTemplate>,
  tenant: TenantFacts,
): { problems: FieldProblem[]; roles: DeclaredRole[]; uses: { name: string; overrides: TemplateOverrides }[] } {
  const problems: FieldProblem[] = [];
  const names = new Map<string, string>(); // name key -> field that declared it first
  const claim = (name: string, field: string) => {
    const key = name.trim().toLowerCase();
    const first = names.get(key);
    if (first) problems.push({ field, message: `role name "${name}" is already used by ${first}` });
    else names.set(key, field);
  };
  const roles = dto.roles.map((r, i) => {
    const role = roleFromDto(r, `roles.${i}`, problems);
    problems.push(...roleProblems(role, `roles.${i}`));
    if (role.name) claim(role.name, `roles.${i}.name`);
    return role;
  });
  const seenTemplates = new Set<string>();
  const uses = (dto.templates ?? []).map((u, i) => {
    const overrides = overridesFromDto(u.overrides, `templates.${i}.overrides`, problems);
    const template = templates.get(u.name);
    if (!template) problems.push({ field: `templates.${i}.name`, message: `unknown role template "${u.name}"` });
    else if (seenTemplates.has(u.name)) problems.push({ field: `templates.${i}.name`, message: `template "${u.name}" is used twice` });
    else {
      const role = expandTemplate(template, overrides, tenant);
      problems.push(...roleProblems(role, `templates.${i}.overrides`).map((p) => ({ ...p, message: `${p.message} (after applying the template)` })));
      claim(role.name, overrides.name !== undefined ? `templates.${i}.overrides.name` : `templates.${i}.name`);
    }
    seenTemplates.add(u.name);
    return { name: u.name, overrides };
  });
  return { problems, roles, uses };
}

import { RoleScope } from '@app/db';

/**
 * Declared roles as stored (RoleSpec, RoleTemplate): human references, resolved against VB365 at apply time.
 * The API's JSON shape (`{ user: 'alice@contoso.com' }`, `scope: 'specific-objects'`) maps 1:1 onto this.
 */
export type RefKind = 'user' | 'group' | 'site' | 'team';
export const OPERATOR_KINDS: readonly RefKind[] = ['user', 'group'];
export const ITEM_KINDS: readonly RefKind[] = ['user', 'group', 'site', 'team'];

export interface RoleRef {
  kind: RefKind;
  ref: string;
}

export interface DeclaredRole {
  name: string;
  description: string;
  scope: RoleScope;
  operators: RoleRef[];
  selectedItems: RoleRef[];
  excludedItems: RoleRef[];
  adopt: boolean;
  /** Where the declaration comes from: explicit, or a template (name and version). */
  template?: { name: string; version: number };
}

/** Per-tenant overrides of a template (TenantRoleTemplate.overrides): any subset of the role's fields. */
export type TemplateOverrides = Partial<Omit<DeclaredRole, 'template'>>;

export interface TenantFacts {
  displayName: string;
  primaryDomain: string | null;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses stored reference JSON; entries that are not `{kind, ref}` are dropped (the API never stores them). */
export function parseRefs(json: unknown): RoleRef[] {
  if (!Array.isArray(json)) return [];
  return json.flatMap((e) =>
    isObj(e) && typeof e.ref === 'string' && ITEM_KINDS.includes(e.kind as RefKind) ? [{ kind: e.kind as RefKind, ref: e.ref }] : [],
  );
}

export function parseOverrides(json: unknown): TemplateOverrides {
  if (!isObj(json)) return {};
  const o: TemplateOverrides = {};
  if (typeof json.name === 'string') o.name = json.name;
  if (typeof json.description === 'string') o.description = json.description;
  if (json.scope === 'entire_organization' || json.scope === 'specific_objects') o.scope = json.scope;
  if (Array.isArray(json.operators)) o.operators = parseRefs(json.operators);
  if (Array.isArray(json.selectedItems)) o.selectedItems = parseRefs(json.selectedItems);
  if (Array.isArray(json.excludedItems)) o.excludedItems = parseRefs(json.excludedItems);
  if (typeof json.adopt === 'boolean') o.adopt = json.adopt;
  return o;
}

interface StoredRole {
  name: string;
  description: string;
  scope: RoleScope;
  operators: unknown;
  selectedItems: unknown;
  excludedItems: unknown;
}

export function fromStored(s: StoredRole & { adopt?: boolean }): DeclaredRole {
  return {
    name: s.name,
    description: s.description,
    scope: s.scope,
    operators: parseRefs(s.operators),
    selectedItems: parseRefs(s.selectedItems),
    excludedItems: parseRefs(s.excludedItems),
    adopt: s.adopt ?? false,
  };
}

export const PLACEHOLDERS = ['{tenant.displayName}', '{tenant.domain}'] as const;

/** Substitutes `{tenant.displayName}` / `{tenant.domain}` in template references and names. */
export function substitute(text: string, tenant: TenantFacts): string {
  return text.replaceAll('{tenant.displayName}', tenant.displayName).replaceAll('{tenant.domain}', tenant.primaryDomain ?? '');
}

/** A template applied to one tenant: overrides replace whole fields, then placeholders are substituted. */
export function expandTemplate(
  template: StoredRole & { version: number },
  overrides: TemplateOverrides,
  tenant: TenantFacts,
): DeclaredRole {
  const base = { ...fromStored(template), ...overrides };
  const sub = (refs: RoleRef[]): RoleRef[] => refs.map((r) => ({ kind: r.kind, ref: substitute(r.ref, tenant) }));
  return {
    name: substitute(base.name, tenant),
    description: substitute(base.description, tenant),
    scope: base.scope,
    operators: sub(base.operators),
    selectedItems: sub(base.selectedItems),
    excludedItems: sub(base.excludedItems),
    adopt: base.adopt,
    template: { name: template.name, version: template.version },
  };
}

export interface FieldProblem {
  field: string;
  message: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const isGuid = (s: string): boolean => GUID.test(s);
export const isEmail = (s: string): boolean => EMAIL.test(s);

/** Why a reference is malformed, or undefined. Wildcards are refused: VB365 filters would treat them as patterns. */
export function referenceProblem(r: RoleRef): string | undefined {
  const ref = r.ref.trim();
  if (!ref) return `${r.kind} reference must not be empty`;
  if (ref.length > 512) return `${r.kind} reference is longer than 512 characters`;
  if (/[*?]/.test(ref)) return `${r.kind} reference must not contain wildcards (* or ?)`;
  const unknown = ref.match(/\{[^}]*\}/g)?.find((p) => !(PLACEHOLDERS as readonly string[]).includes(p));
  if (unknown) return `unknown placeholder ${unknown} (known: ${PLACEHOLDERS.join(', ')})`;
  switch (r.kind) {
    case 'user':
      return isEmail(ref) || isGuid(ref) ? undefined : 'user must be a UPN / e-mail address or an Entra object id';
    case 'site':
      try {
        const u = new URL(ref);
        return u.protocol === 'https:' || u.protocol === 'http:' ? undefined : 'site must be an http(s) URL';
      } catch {
        return 'site must be a URL';
      }
    case 'group':
    case 'team':
      return undefined;
  }
}

const refKey = (r: RoleRef): string => `${r.kind}:${r.ref.trim().toLowerCase()}`;

/**
 * Semantic rules of one role (the API checks types first): operators ≥ 1 and only users/groups; well-formed
 * references; specific-objects needs ≥ 1 selected item and entire-organization takes none; no object both
 * selected and excluded; no team excluded from entire-organization (VB365: that scope does not cover Teams).
 * `path` prefixes each field, e.g. `roles.1`.
 */
export function roleProblems(r: TemplateOverrides, path: string, partial = false): FieldProblem[] {
  const out: FieldProblem[] = [];
  const at = (f: string) => (path ? `${path}.${f}` : f);
  if (!partial || r.name !== undefined) {
    if (!r.name?.trim()) out.push({ field: at('name'), message: 'must not be empty' });
    else if (r.name.length > 200) out.push({ field: at('name'), message: 'must be at most 200 characters' });
  }
  const lists = { operators: r.operators, selectedItems: r.selectedItems, excludedItems: r.excludedItems };
  for (const [list, refs] of Object.entries(lists)) {
    const seen = new Set<string>();
    (refs ?? []).forEach((ref, i) => {
      const p = referenceProblem(ref);
      if (p) out.push({ field: at(`${list}.${i}`), message: p });
      if (list === 'operators' && !OPERATOR_KINDS.includes(ref.kind)) out.push({ field: at(`${list}.${i}`), message: 'operators are users or groups' });
      if (seen.has(refKey(ref))) out.push({ field: at(`${list}.${i}`), message: `${ref.kind} ${ref.ref} is listed twice` });
      seen.add(refKey(ref));
    });
  }
  if ((!partial || r.operators !== undefined) && !(r.operators ?? []).length) out.push({ field: at('operators'), message: 'must contain at least one user or group' });
  if (!partial || r.scope !== undefined || r.selectedItems !== undefined) {
    const selected = r.selectedItems ?? [];
    if (r.scope === 'specific_objects' && selected.length === 0) {
      out.push({ field: at('selectedItems'), message: 'specific-objects needs at least one selected item' });
    }
    if (r.scope === 'entire_organization' && selected.length > 0) {
      out.push({ field: at('selectedItems'), message: 'entire-organization takes no selected items (use specific-objects)' });
    }
  }
  const selected = new Set((r.selectedItems ?? []).map(refKey));
  (r.excludedItems ?? []).forEach((ref, i) => {
    if (selected.has(refKey(ref))) out.push({ field: at(`excludedItems.${i}`), message: `${ref.kind} ${ref.ref} is both selected and excluded` });
    if (r.scope === 'entire_organization' && ref.kind === 'team') {
      out.push({ field: at(`excludedItems.${i}`), message: 'teams cannot be excluded from entire-organization (that scope does not cover Teams)' });
    }
  });
  return out;
}

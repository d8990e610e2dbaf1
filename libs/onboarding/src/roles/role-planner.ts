import { RESTRbacItem, RESTRbacRoleCreateModel } from '@app/vb365';
import { StepChange } from '../runs/step-change';
import {
  ActualRole,
  DesiredRole,
  MemberList,
  OwnedRole,
  RoleType,
  memberId,
  memberKey,
  memberLabel,
  nameKey,
} from './role-state';

/**
 * One change of a plan. Every change except `adopt-role` and `forget-role` is exactly one VB365 write, so
 * `writes` of an application equals the number of such changes applied.
 */
export type RoleChange =
  | { action: 'delete-role'; role: string; roleId: string; reason: 'undeclared' | 'scope-changed' }
  /** Bookkeeping only: an owned role that no longer exists on VB365 and is no longer declared. */
  | { action: 'forget-role'; role: string; roleId: string }
  /** Bookkeeping only: records ownership of a same-named foreign role (declared with `adopt`). */
  | { action: 'adopt-role'; role: string; roleId: string }
  | { action: 'update-role'; role: string; roleId: string; roleType: RoleType; name: string; description: string; from: { name: string; description: string } }
  | { action: 'add-members' | 'remove-members'; role: string; roleId: string; list: MemberList; members: RESTRbacItem[] }
  | { action: 'create-role'; role: string; model: RESTRbacRoleCreateModel };

export interface PlanFailure {
  role: string;
  code: 'NAME_TAKEN';
  message: string;
}

export interface RolePlan {
  changes: RoleChange[];
  failures: PlanFailure[];
}

export interface PlanInput {
  /** Declared roles whose references all resolved. */
  desired: DesiredRole[];
  /** Declared roles that failed resolution: their owned VB365 roles are left exactly as they are. */
  held: string[];
  /** Every role of the organization, owned or not. */
  actual: ActualRole[];
  owned: OwnedRole[];
  /** Adopt same-named foreign roles for every declared role (run option), not only those declared with `adopt`. */
  adoptAll?: boolean;
}

/** Whether a change writes to VB365 (as opposed to bookkeeping in Postgres). */
export const isWrite = (c: RoleChange): boolean => c.action !== 'adopt-role' && c.action !== 'forget-role';

function diffList(actual: RESTRbacItem[], desired: RESTRbacItem[]): { add: RESTRbacItem[]; remove: RESTRbacItem[] } {
  const have = new Set(actual.map(memberKey));
  const want = new Set(desired.map(memberKey));
  return { add: desired.filter((m) => !have.has(memberKey(m))), remove: actual.filter((m) => !want.has(memberKey(m))) };
}

/**
 * Granular member changes of one role, in an order every intermediate state of which VB365 accepts:
 * operators are added before removed (a role keeps at least one); excluded items are removed before selected
 * ones are added (an object moving from excluded to selected is never both); selected items are added before
 * removed (SpecificObjects keeps at least one); excluded items are added last (an object moving from selected
 * to excluded has left the selection).
 */
function memberChanges(role: string, roleId: string, actual: ActualRole, desired: DesiredRole): RoleChange[] {
  const ops = diffList(actual.operators, desired.operators);
  const sel = diffList(actual.selectedItems, desired.selectedItems);
  const exc = diffList(actual.excludedItems, desired.excludedItems);
  const steps: [RoleChange['action'], MemberList, RESTRbacItem[]][] = [
    ['add-members', 'operators', ops.add],
    ['remove-members', 'operators', ops.remove],
    ['remove-members', 'excludedItems', exc.remove],
    ['add-members', 'selectedItems', sel.add],
    ['remove-members', 'selectedItems', sel.remove],
    ['add-members', 'excludedItems', exc.add],
  ];
  return steps
    .filter(([, , members]) => members.length > 0)
    .map(([action, list, members]) => ({ action: action as 'add-members' | 'remove-members', role, roleId, list, members }));
}

const createModel = (d: DesiredRole): RESTRbacRoleCreateModel => ({
  name: d.name,
  description: d.description,
  roleType: d.roleType,
  operators: d.operators,
  selectedItems: d.selectedItems,
  excludedItems: d.excludedItems,
});

type Update = Extract<RoleChange, { action: 'update-role' }>;

/**
 * Renames in an order that never asks VB365 for a name another role still holds: a rename waits until the
 * holder of its target name has been renamed away. A cycle (two roles swapping names on the console) is left
 * in input order; VB365 answers CONFLICT for that role and the next run converges.
 */
function orderUpdates(updates: Update[], currentName: Map<string, string>): Update[] {
  const pending = [...updates];
  const out: Update[] = [];
  const holders = new Map<string, string>(); // name key -> roleId currently holding it, among pending renames
  for (const u of pending) holders.set(nameKey(currentName.get(u.roleId) ?? ''), u.roleId);
  while (pending.length) {
    const i = pending.findIndex((u) => {
      const holder = holders.get(nameKey(u.name));
      return holder === undefined || holder === u.roleId;
    });
    const [next] = pending.splice(i < 0 ? 0 : i, 1);
    holders.delete(nameKey(currentName.get(next!.roleId) ?? ''));
    out.push(next!);
  }
  return out;
}

/**
 * The pure planner: declared (resolved) roles vs the organization's actual roles → the minimal ordered list of
 * changes that makes VB365 match. Only owned roles (and foreign ones explicitly adopted) are ever changed.
 * Phases: deletes of undeclared roles (free names), adoptions, deletes of roles whose scope changed (after their
 * adoption), renames, member changes, creates (names are free by then).
 */
export function planRoles(input: PlanInput): RolePlan {
  const actualById = new Map(input.actual.map((a) => [a.id, a]));
  const ownedIds = new Set(input.owned.map((o) => o.roleId));
  const ownedByName = new Map(input.owned.map((o) => [nameKey(o.name), o]));
  const declared = new Set([...input.desired.map((d) => nameKey(d.name)), ...input.held.map(nameKey)]);

  const deletes: RoleChange[] = [];
  const adopts: RoleChange[] = [];
  const recreates: RoleChange[] = [];
  const updates: Update[] = [];
  const members: RoleChange[] = [];
  const creates: RoleChange[] = [];
  const failures: PlanFailure[] = [];

  // Names of roles that will still exist under their current name after the deletes and renames: a rename or
  // create onto one of these would be refused by VB365.
  const finalNames = new Map<string, string>(); // name key -> role id
  const renamedOrDeleted = new Set<string>();

  for (const o of input.owned) {
    if (declared.has(nameKey(o.name))) continue;
    if (actualById.has(o.roleId)) {
      deletes.push({ action: 'delete-role', role: o.name, roleId: o.roleId, reason: 'undeclared' });
      renamedOrDeleted.add(o.roleId);
    } else {
      deletes.push({ action: 'forget-role', role: o.name, roleId: o.roleId });
    }
  }

  type Target = { desired: DesiredRole; actual?: ActualRole; adopt: boolean };
  const targets: Target[] = [];
  for (const d of input.desired) {
    const owned = ownedByName.get(nameKey(d.name));
    const mine = owned ? actualById.get(owned.roleId) : undefined;
    if (mine) {
      targets.push({ desired: d, actual: mine, adopt: false });
      continue;
    }
    const foreign = input.actual.find((a) => !ownedIds.has(a.id) && nameKey(a.name) === nameKey(d.name));
    if (!foreign) {
      targets.push({ desired: d, adopt: false });
    } else if (d.adopt || input.adoptAll) {
      targets.push({ desired: d, actual: foreign, adopt: true });
    } else {
      failures.push({
        role: d.name,
        code: 'NAME_TAKEN',
        message: `A role named "${foreign.name}" (${foreign.id}) exists on VB365 and was not created by the product; declare the role with adopt: true to take it over, or rename it.`,
      });
    }
  }
  for (const t of targets) {
    if (t.actual && t.actual.roleType !== t.desired.roleType) renamedOrDeleted.add(t.actual.id);
    else if (t.actual && t.actual.name !== t.desired.name) renamedOrDeleted.add(t.actual.id);
  }
  for (const a of input.actual) if (!renamedOrDeleted.has(a.id)) finalNames.set(nameKey(a.name), a.id);

  for (const { desired: d, actual: a, adopt } of targets) {
    const holder = finalNames.get(nameKey(d.name));
    if (holder !== undefined && holder !== a?.id) {
      failures.push({ role: d.name, code: 'NAME_TAKEN', message: `Another VB365 role (${holder}) is named "${d.name}" and is not being renamed or deleted.` });
      continue;
    }
    if (adopt && a) adopts.push({ action: 'adopt-role', role: d.name, roleId: a.id });
    if (!a) {
      creates.push({ action: 'create-role', role: d.name, model: createModel(d) });
    } else if (a.roleType !== d.roleType) {
      // VB365 refuses every intermediate state of a scope change through PUT + granular calls (selected items
      // are forbidden on EntireOrganization and required on SpecificObjects), so the role is re-created.
      recreates.push({ action: 'delete-role', role: d.name, roleId: a.id, reason: 'scope-changed' });
      creates.push({ action: 'create-role', role: d.name, model: createModel(d) });
    } else {
      if (a.name !== d.name || a.description !== d.description) {
        updates.push({
          action: 'update-role',
          role: d.name,
          roleId: a.id,
          roleType: d.roleType,
          name: d.name,
          description: d.description,
          from: { name: a.name, description: a.description },
        });
      }
      members.push(...memberChanges(d.name, a.id, a, d));
    }
  }

  const currentName = new Map(input.actual.map((a) => [a.id, a.name]));
  return { changes: [...deletes, ...adopts, ...recreates, ...orderUpdates(updates, currentName), ...members, ...creates], failures };
}

const memberSummary = (m: RESTRbacItem): Record<string, string> => ({ type: m.type, id: memberId(m), ref: memberLabel(m) });

const LIST_ACTION: Record<MemberList, string> = { operators: 'operators', selectedItems: 'selected-items', excludedItems: 'excluded-items' };

/** The run engine's change format (RunStep.changes, drift reports, dry runs). */
export function toStepChange(c: RoleChange): StepChange {
  switch (c.action) {
    case 'delete-role':
      return { action: 'delete-role', target: c.role, detail: { roleId: c.roleId, reason: c.reason } };
    case 'forget-role':
      return { action: 'forget-role', target: c.role, detail: { roleId: c.roleId, reason: 'deleted on VB365 and no longer declared' } };
    case 'adopt-role':
      return { action: 'adopt-role', target: c.role, detail: { roleId: c.roleId } };
    case 'update-role':
      return { action: 'update-role', target: c.role, detail: { roleId: c.roleId, from: c.from, to: { name: c.name, description: c.description } } };
    case 'add-members':
    case 'remove-members':
      return {
        action: `${c.action === 'add-members' ? 'add' : 'remove'}-${LIST_ACTION[c.list]}`,
        target: c.role,
        detail: { roleId: c.roleId, members: c.members.map(memberSummary) },
      };
    case 'create-role':
      return {
        action: 'create-role',
        target: c.role,
        detail: {
          roleType: c.model.roleType,
          description: c.model.description,
          operators: c.model.operators.map(memberSummary),
          selectedItems: c.model.selectedItems.map(memberSummary),
          excludedItems: c.model.excludedItems.map(memberSummary),
        },
      };
  }
}

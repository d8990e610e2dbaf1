import fc from 'fast-check';
import { RESTRbacItem, RESTRbacOperator } from '@app/vb365';
import { PlanInput, RoleChange, isWrite, planRoles, toStepChange } from './role-planner';
import { ActualRole, DesiredRole, OwnedRole, RoleType, memberKey, nameKey } from './role-state';

/**
 * A model of the VB365 server's RBAC rules (the simulator's, vb365-sim.md "RBAC"): applying a change that
 * VB365 would refuse throws, so a plan whose order is wrong fails the properties below.
 */
interface World {
  roles: ActualRole[];
  owned: OwnedRole[];
}

class Refused extends Error {}

function assertConsistent(r: ActualRole): void {
  if (r.operators.length === 0) throw new Refused(`${r.name}: no operator`);
  if (r.roleType === 'SpecificObjects' && r.selectedItems.length === 0) throw new Refused(`${r.name}: SpecificObjects without selection`);
  if (r.roleType === 'EntireOrganization' && r.selectedItems.length > 0) throw new Refused(`${r.name}: selection on EntireOrganization`);
  if (r.selectedItems.some((s) => r.excludedItems.some((e) => memberKey(e) === memberKey(s)))) throw new Refused(`${r.name}: selected and excluded`);
  if (r.roleType === 'EntireOrganization' && r.excludedItems.some((e) => e.type === 'Team')) throw new Refused(`${r.name}: team excluded from org`);
}

function assertNameFree(w: World, name: string, exceptId?: string): void {
  if (w.roles.some((r) => r.id !== exceptId && nameKey(r.name) === nameKey(name))) throw new Refused(`name ${name} taken`);
}

let created = 0;
function apply(world: World, changes: RoleChange[]): World {
  const w: World = { roles: world.roles.map((r) => ({ ...r })), owned: world.owned.map((o) => ({ ...o })) };
  const ownedRole = (roleId: string): ActualRole => {
    const r = w.roles.find((x) => x.id === roleId);
    if (!r) throw new Refused(`role ${roleId} not found`);
    if (!w.owned.some((o) => o.roleId === roleId)) throw new Error(`planner touched foreign role ${roleId}`);
    return r;
  };
  for (const c of changes) {
    switch (c.action) {
      case 'delete-role':
        ownedRole(c.roleId);
        w.roles = w.roles.filter((r) => r.id !== c.roleId);
        w.owned = w.owned.filter((o) => o.roleId !== c.roleId);
        break;
      case 'forget-role':
        w.owned = w.owned.filter((o) => o.roleId !== c.roleId);
        break;
      case 'adopt-role':
        if (!w.roles.some((r) => r.id === c.roleId)) throw new Refused('adopting a missing role');
        w.owned = [...w.owned.filter((o) => nameKey(o.name) !== nameKey(c.role)), { roleId: c.roleId, name: c.role }];
        break;
      case 'update-role': {
        const r = ownedRole(c.roleId);
        assertNameFree(w, c.name, r.id);
        Object.assign(r, { name: c.name, description: c.description });
        break;
      }
      case 'add-members': {
        const r = ownedRole(c.roleId);
        if (c.members.length === 0) throw new Refused('empty add');
        for (const m of c.members) if (r[c.list].some((x) => memberKey(x) === memberKey(m))) throw new Refused('already present');
        Object.assign(r, { [c.list]: [...r[c.list], ...c.members] });
        assertConsistent(r);
        break;
      }
      case 'remove-members': {
        const r = ownedRole(c.roleId);
        if (c.members.length === 0) throw new Refused('empty remove');
        const gone = new Set(c.members.map(memberKey));
        for (const k of gone) if (!r[c.list].some((x) => memberKey(x) === k)) throw new Refused('removing a missing member');
        Object.assign(r, { [c.list]: r[c.list].filter((x) => !gone.has(memberKey(x))) });
        assertConsistent(r);
        break;
      }
      case 'create-role': {
        assertNameFree(w, c.model.name);
        const r: ActualRole = { id: `new-${++created}`, ...c.model };
        assertConsistent(r);
        w.roles.push(r);
        w.owned = [...w.owned.filter((o) => nameKey(o.name) !== nameKey(c.role)), { roleId: r.id, name: c.role }];
        break;
      }
    }
  }
  return w;
}

const keys = (ms: RESTRbacItem[]): string[] => ms.map(memberKey).sort();
const content = (r: Pick<ActualRole, 'name' | 'description' | 'roleType' | 'operators' | 'selectedItems' | 'excludedItems'>) => ({
  name: r.name,
  description: r.description,
  roleType: r.roleType,
  operators: keys(r.operators),
  selectedItems: keys(r.selectedItems),
  excludedItems: keys(r.excludedItems),
});
const snapshot = (w: World) => ({
  roles: [...w.roles].sort((a, b) => a.id.localeCompare(b.id)).map((r) => ({ id: r.id, ...content(r) })),
  owned: [...w.owned].sort((a, b) => a.roleId.localeCompare(b.roleId)),
});

// --- generators -------------------------------------------------------------------------------------------
const user = (i: number): RESTRbacOperator => ({ type: 'User', user: { id: `u${i}`, displayName: `User ${i}`, name: `u${i}@x.test`, type: 'User' } });
const group = (i: number): RESTRbacOperator => ({ type: 'Group', group: { id: `g${i}`, displayName: `Group ${i}`, name: `g${i}@x.test`, type: 'Security' } });
const site = (i: number): RESTRbacItem => ({ type: 'Site', site: { id: `s${i}`, url: `https://x.test/s${i}`, title: `S${i}`, isCloud: true, isPersonal: false } });
const team = (i: number): RESTRbacItem => ({ type: 'Team', team: { id: `t${i}`, displayName: `T${i}`, description: '', mail: `t${i}@x.test` } });
const OPERATORS = [0, 1, 2, 3].map(user).concat([0, 1, 2].map(group));
const OBJECTS: RESTRbacItem[] = [...OPERATORS, ...[0, 1, 2].map(site), ...[0, 1].map(team)];
const NAMES = ['Helpdesk', 'helpdesk', 'Exec', 'Audit', 'Ops', 'Legal'];

const subset = <T>(xs: T[], min: number) => fc.subarray(xs, { minLength: Math.min(min, xs.length) });

const roleContent = fc
  .record({
    roleType: fc.constantFrom<RoleType>('EntireOrganization', 'SpecificObjects'),
    description: fc.constantFrom('', 'd1', 'd2'),
    operators: subset(OPERATORS, 1),
    selected: subset(OBJECTS, 1),
    excluded: subset(OBJECTS, 0),
  })
  .map(({ roleType, description, operators, selected, excluded }) => {
    const selectedItems = roleType === 'SpecificObjects' ? selected : [];
    const sel = new Set(selectedItems.map(memberKey));
    const excludedItems = excluded.filter((e) => !sel.has(memberKey(e)) && !(roleType === 'EntireOrganization' && e.type === 'Team'));
    // Members read back from VB365 carry a response id; desired ones do not.
    return { roleType, description, operators, selectedItems, excludedItems };
  });

const withIds = <T extends RESTRbacItem>(ms: T[]): T[] => ms.map((m) => ({ ...m, id: memberKey(m).split(':')[1] }));

const uniqueByName = <T extends { name: string }>(xs: T[]): T[] => {
  const seen = new Set<string>();
  return xs.filter((x) => !seen.has(nameKey(x.name)) && (seen.add(nameKey(x.name)), true));
};

const scenario = fc
  .record({
    desired: fc.array(fc.record({ name: fc.constantFrom(...NAMES), c: roleContent, adopt: fc.boolean() }), { maxLength: 5 }),
    heldMask: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
    owned: fc.array(
      fc.record({ name: fc.constantFrom(...NAMES), actualName: fc.constantFrom('same', 'case', 'console'), exists: fc.boolean(), c: roleContent }),
      { maxLength: 5 },
    ),
    foreign: fc.array(fc.record({ name: fc.constantFrom(...NAMES, 'Foreign A', 'Foreign B'), c: roleContent }), { maxLength: 3 }),
    adoptAll: fc.boolean(),
  })
  .map(({ desired, heldMask, owned, foreign, adoptAll }) => {
    const declared = uniqueByName(desired.map((d) => ({ name: d.name, adopt: d.adopt, ...d.c })));
    const held = declared.filter((_, i) => heldMask[i]).map((d) => d.name);
    const desiredRoles: DesiredRole[] = declared.filter((_, i) => !heldMask[i]);
    const ownedRows = uniqueByName(owned).map((o, i) => ({ ...o, roleId: `owned-${i}` }));
    const roles: ActualRole[] = [];
    for (const o of ownedRows.filter((x) => x.exists)) {
      const name = o.actualName === 'same' ? o.name : o.actualName === 'case' ? o.name.toUpperCase() : `console ${o.roleId}`;
      roles.push({ id: o.roleId, name, ...o.c, operators: withIds(o.c.operators), selectedItems: withIds(o.c.selectedItems), excludedItems: withIds(o.c.excludedItems) });
    }
    foreign.forEach((f, i) => roles.push({ id: `foreign-${i}`, name: f.name, ...f.c, operators: withIds(f.c.operators) }));
    const input: PlanInput = {
      desired: desiredRoles,
      held,
      actual: uniqueByName(roles),
      owned: ownedRows.map((o) => ({ roleId: o.roleId, name: o.name })),
      adoptAll,
    };
    return input;
  });

const worldOf = (input: PlanInput): World => ({ roles: input.actual, owned: input.owned });
const replan = (input: PlanInput, w: World): ReturnType<typeof planRoles> => planRoles({ ...input, actual: w.roles, owned: w.owned });

describe('planRoles (properties)', () => {
  it('applying the plan yields the declared state for every role that did not fail', () => {
    fc.assert(
      fc.property(scenario, (input) => {
        const plan = planRoles(input);
        const after = apply(worldOf(input), plan.changes);
        const failed = new Set(plan.failures.map((f) => nameKey(f.role)));
        for (const d of input.desired) {
          if (failed.has(nameKey(d.name))) continue;
          const owned = after.owned.find((o) => nameKey(o.name) === nameKey(d.name));
          const role = after.roles.find((r) => r.id === owned?.roleId);
          expect(role && content(role)).toEqual(content(d));
        }
        // Nothing owned survives that is not declared.
        const declared = new Set([...input.desired.map((d) => nameKey(d.name)), ...input.held.map(nameKey)]);
        for (const o of after.owned) expect(declared.has(nameKey(o.name))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('applying the plan again yields an empty plan (idempotent)', () => {
    fc.assert(
      fc.property(scenario, (input) => {
        const plan = planRoles(input);
        const again = replan(input, apply(worldOf(input), plan.changes));
        expect(again.changes).toEqual([]);
        expect(again.failures.map((f) => f.role).sort()).toEqual(plan.failures.map((f) => f.role).sort());
      }),
      { numRuns: 500 },
    );
  });

  it('leaves foreign roles untouched unless adopted by name, and held roles untouched', () => {
    fc.assert(
      fc.property(scenario, (input) => {
        const plan = planRoles(input);
        const after = apply(worldOf(input), plan.changes);
        const adopted = new Set(plan.changes.filter((c) => c.action === 'adopt-role').map((c) => (c as { roleId: string }).roleId));
        const ownedIds = new Set(input.owned.map((o) => o.roleId));
        for (const a of input.actual.filter((r) => !ownedIds.has(r.id))) {
          if (adopted.has(a.id)) {
            const d = input.desired.find((x) => nameKey(x.name) === nameKey(a.name));
            expect(d && (d.adopt || input.adoptAll)).toBeTruthy();
            continue;
          }
          const still = after.roles.find((r) => r.id === a.id);
          expect(still && content(still)).toEqual(content(a));
          expect(plan.changes.some((c) => 'roleId' in c && c.roleId === a.id)).toBe(false);
        }
        for (const name of input.held) {
          const o = input.owned.find((x) => nameKey(x.name) === nameKey(name));
          const before = input.actual.find((r) => r.id === o?.roleId);
          if (before) expect(content(after.roles.find((r) => r.id === before.id)!)).toEqual(content(before));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('contains no redundant change: dropping any write leaves VB365 different or makes the plan invalid', () => {
    fc.assert(
      fc.property(scenario, (input) => {
        const plan = planRoles(input);
        const target = snapshot(apply(worldOf(input), plan.changes));
        plan.changes.forEach((c, i) => {
          if (!isWrite(c)) return;
          const without = plan.changes.filter((_, j) => j !== i);
          let result: ReturnType<typeof snapshot> | 'refused';
          try {
            result = snapshot(apply(worldOf(input), without));
          } catch (e) {
            if (!(e instanceof Refused)) throw e;
            result = 'refused';
          }
          // Ids of created roles differ between runs: compare contents only.
          const strip = (s: typeof target | 'refused') => (s === 'refused' ? s : s.roles.map(({ id: _id, ...r }) => r));
          expect(strip(result)).not.toEqual(strip(target));
        });
        // At most one change per role, action and list; member changes are never empty.
        const seen = new Set<string>();
        for (const c of plan.changes) {
          const k = `${c.role}|${c.action}|${'list' in c ? c.list : ''}|${'reason' in c ? c.reason : ''}`;
          expect(seen.has(k)).toBe(false);
          seen.add(k);
          if ('members' in c) expect(c.members.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('planRoles (examples)', () => {
  const base: Omit<DesiredRole, 'name' | 'adopt'> = {
    description: '',
    roleType: 'SpecificObjects',
    operators: withIds([user(0)]),
    selectedItems: withIds([site(0)]),
    excludedItems: [],
  };

  it('PUTs only when name or description differ, and moves an object from selected to excluded in a valid order', () => {
    const desired: DesiredRole = { ...base, name: 'Helpdesk', description: 'new', selectedItems: [site(1)], excludedItems: [site(0)], adopt: false };
    const plan = planRoles({ desired: [desired], held: [], actual: [{ ...base, id: 'r1', name: 'Helpdesk' }], owned: [{ roleId: 'r1', name: 'Helpdesk' }] });
    expect(plan.changes.map(toStepChange).map((c) => c.action)).toEqual(['update-role', 'add-selected-items', 'remove-selected-items', 'add-excluded-items']);
  });

  it('reports a same-named foreign role as NAME_TAKEN without touching it, and adopts it when asked', () => {
    const desired: DesiredRole = { ...base, name: 'Helpdesk', adopt: false };
    const actual = [{ ...base, id: 'f1', name: 'HELPDESK', operators: withIds([user(1)]) }];
    const left = planRoles({ desired: [desired], held: [], actual, owned: [] });
    expect(left).toEqual({ changes: [], failures: [expect.objectContaining({ role: 'Helpdesk', code: 'NAME_TAKEN' })] });
    const adopted = planRoles({ desired: [{ ...desired, adopt: true }], held: [], actual, owned: [] });
    expect(adopted.changes.map(toStepChange).map((c) => c.action)).toEqual(['adopt-role', 'update-role', 'add-operators', 'remove-operators']);
  });

  it('re-creates a role whose scope changed, and deletes owned roles no longer declared', () => {
    const plan = planRoles({
      desired: [{ ...base, name: 'A', roleType: 'EntireOrganization', selectedItems: [], adopt: false }],
      held: [],
      actual: [{ ...base, id: 'a', name: 'A' }, { ...base, id: 'b', name: 'B' }],
      owned: [{ roleId: 'a', name: 'A' }, { roleId: 'b', name: 'B' }, { roleId: 'gone', name: 'C' }],
    });
    expect(plan.changes.map((c) => `${c.action}:${c.role}`)).toEqual(['delete-role:B', 'forget-role:C', 'delete-role:A', 'create-role:A']);
  });
});

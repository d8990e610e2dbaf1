import { RESTRbacOperator, RESTRbacRole, Vb365Client, Vb365Error } from '@app/vb365';
import { ActualRole } from './role-state';

/**
 * Every role of the organization (`GET /v8/Organizations/{id}/RbacRoles`, not paged). Members are read (three
 * GETs per role) only for roles `withMembers` selects: the planner needs names of the others, not their content.
 * Also used by drift checks, so console edits made since the last run are seen.
 */
export async function readRoles(
  vb365: Vb365Client,
  organizationId: string,
  withMembers: (r: RESTRbacRole) => boolean,
  includeOthers: boolean,
): Promise<ActualRole[]> {
  const roles = await vb365.rbac.listByOrganization(organizationId);
  const out: ActualRole[] = [];
  for (const r of roles) {
    const base = { id: r.id, name: r.name ?? '', description: r.description ?? '', roleType: r.roleType ?? '' };
    if (!withMembers(r)) {
      if (includeOthers) out.push({ ...base, operators: [], selectedItems: [], excludedItems: [] });
      continue;
    }
    let operators, selectedItems, excludedItems;
    try {
      // One read at a time, never in parallel: VB365 throttles per organization, and a 429 on one read must not be
      // followed by its siblings inside the Retry-After (parallel siblings queued behind the concurrency cap would
      // go out after the 429 came back), as Entra consent state is read.
      operators = await vb365.rbac.operators(r.id);
      selectedItems = await vb365.rbac.selectedItems(r.id);
      excludedItems = await vb365.rbac.excludedItems(r.id);
    } catch (err) {
      // Deleted (e.g. on the console) between the list and the member reads: it no longer exists.
      if (err instanceof Vb365Error && err.code === 'NOT_FOUND') continue;
      throw err;
    }
    out.push({ ...base, operators: operators as RESTRbacOperator[], selectedItems, excludedItems });
  }
  return out;
}

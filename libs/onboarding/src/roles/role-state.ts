import { RESTRbacItem, RESTRbacOperator } from '@app/vb365';

/** VB365 role member lists, named as the granular endpoints (vb365.md "Restore operator roles"). */
export type MemberList = 'operators' | 'selectedItems' | 'excludedItems';
export const MEMBER_LISTS: readonly MemberList[] = ['operators', 'selectedItems', 'excludedItems'];

export type RoleType = 'EntireOrganization' | 'SpecificObjects';

/** A role's content in VB365 terms (resolved ids), without its id. */
export interface RoleState {
  name: string;
  description: string;
  roleType: RoleType;
  operators: RESTRbacOperator[];
  selectedItems: RESTRbacItem[];
  excludedItems: RESTRbacItem[];
}

/** A role as read from the VB365 server (`roleType` kept open: newer servers may send unknown values). */
export interface ActualRole extends Omit<RoleState, 'roleType'> {
  id: string;
  roleType: string;
}

/** A declared role after resolution of its references. */
export interface DesiredRole extends RoleState {
  /** Take ownership of a same-named role the product did not create. */
  adopt: boolean;
}

/** An OwnedVb365Role row: the product created (or adopted) `roleId` for the declared role `name`. */
export interface OwnedRole {
  roleId: string;
  name: string;
}

/** The id of the directory object a member refers to (VB365 member ids equal it on the simulator, not always on real servers). */
export function objectId(m: RESTRbacItem): string {
  switch (m.type) {
    case 'User':
      return m.user.id;
    case 'Group':
      return m.group.id;
    case 'Site':
      return m.site.id;
    case 'Team':
      return m.team.id;
  }
}

/** Identity of a member within a list: its kind and object id (ids compared case-insensitively, as VB365 does). */
export const memberKey = (m: RESTRbacItem): string => `${m.type}:${objectId(m).toLowerCase()}`;

/** The id to pass to `DELETE ...?ids=`: the response `id`, or the object id when the server sent none. */
export const memberId = (m: RESTRbacItem): string => m.id ?? objectId(m);

/** A human label for reports: e-mail / URL / display name. */
export function memberLabel(m: RESTRbacItem): string {
  switch (m.type) {
    case 'User':
      return m.user.name || m.user.displayName || m.user.id;
    case 'Group':
      return m.group.name || m.group.displayName || m.group.id;
    case 'Site':
      return m.site.url || m.site.title || m.site.id;
    case 'Team':
      return m.team.mail || m.team.displayName || m.team.id;
  }
}

/** Role names are unique per organization case-insensitively (the simulator's rule; real servers undocumented). */
export const nameKey = (name: string): string => name.trim().toLowerCase();

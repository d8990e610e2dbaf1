/**
 * The simulator's in-memory model of one VB365 server. Field names follow vb365_rest_v8.json so that rendering
 * a response is a projection, not a translation.
 */
export type OrganizationType = 'Office365' | 'OnPremises' | 'Hybrid';
export type OrganizationRegion = 'Worldwide' | 'Germany' | 'China' | 'USDefence' | 'USGovernment';

export interface SimUser {
  id: string;
  displayName: string;
  /** The e-mail / UPN (RESTUser.name). */
  name: string;
  type: 'User' | 'Shared' | 'Public';
  locationType: 'OnPremises' | 'Cloud' | 'Hybrid';
  msid: string | null;
}

export interface SimGroup {
  id: string;
  displayName: string;
  name: string;
  type: 'Office365' | 'Security' | 'Distribution' | 'DynamicDistribution';
  locationType: 'OnPremises' | 'Cloud' | 'Hybrid';
  msid: string | null;
}

export interface SimSite {
  id: string;
  url: string;
  parentUrl: string;
  title: string;
  isCloud: boolean;
  isPersonal: boolean;
}

export interface SimTeam {
  id: string;
  displayName: string;
  description: string;
  mail: string;
}

export interface SimOrganization {
  id: string;
  name: string;
  officeName: string;
  msid: string;
  type: OrganizationType;
  region: OrganizationRegion;
  isExchangeOnline: boolean;
  isSharePointOnline: boolean;
  isTeamsOnline: boolean;
  /** exchangeOnlineSettings.useApplicationOnlyAuth: RBAC roles need modern app-only auth (vb365.md). */
  useApplicationOnlyAuth: boolean;
  users: SimUser[];
  groups: SimGroup[];
  sites: SimSite[];
  teams: SimTeam[];
  usersById: Map<string, SimUser>;
  groupsById: Map<string, SimGroup>;
  sitesById: Map<string, SimSite>;
  teamsById: Map<string, SimTeam>;
}

export type RbacUserType = 'User' | 'SharedMailbox' | 'PublicMailbox';
export type RbacGroupType = 'Office365' | 'Security' | 'Distribution' | 'DynamicDistribution' | 'Unknown';

export interface RbacUser {
  id: string;
  displayName: string;
  name: string;
  type: RbacUserType;
}
export interface RbacGroup {
  id: string;
  displayName: string;
  name: string;
  type: RbacGroupType;
}
export interface RbacSite {
  id: string;
  url: string;
  title: string;
  parentUrl: string;
  isCloud: boolean;
  isPersonal: boolean;
}
export interface RbacTeam {
  id: string;
  displayName: string;
  description: string;
  mail: string;
}

export type RbacOperator = { id: string; type: 'User'; user: RbacUser } | { id: string; type: 'Group'; group: RbacGroup };

export type RbacItem =
  | { id: string; type: 'User'; user: RbacUser }
  | { id: string; type: 'Group'; group: RbacGroup }
  | { id: string; type: 'Site'; site: RbacSite }
  | { id: string; type: 'Team'; team: RbacTeam };

export type RoleType = 'EntireOrganization' | 'SpecificObjects';

export interface SimRole {
  id: string;
  organizationId: string;
  name: string;
  description: string;
  roleType: RoleType;
  operators: RbacOperator[];
  selectedItems: RbacItem[];
  excludedItems: RbacItem[];
}

export type SessionType = 'Vex' | 'Veod' | 'Vesp' | 'Vet';
export type EventType = 'None' | 'Save' | 'Export' | 'Send' | 'Restore' | 'View';
export type EventStatus = 'Running' | 'Success' | 'Warning' | 'Failed' | 'Cancelled' | 'Skipped';

export interface SimRestoreEvent {
  id: string;
  type: EventType;
  status: EventStatus;
  /** Epoch ms: numbers are far smaller in memory than ISO strings (capacity target: 1,000,000 events). */
  startTime: number;
  endTime: number;
  title: string;
  message: string;
  order: number;
  itemName: string;
  itemType: string;
  itemSizeBytes: number;
  source: string;
  target: string;
  userId: string | null;
  siteId: string | null;
  teamId: string | null;
}

export interface SimRestoreSession {
  id: string;
  name: string;
  organizationId: string;
  organizationName: string;
  type: SessionType;
  creationTime: number;
  /** 0 while Working. */
  endTime: number;
  state: 'Working' | 'Stopped';
  result: 'Success' | 'Warning' | 'Failed';
  initiatedBy: string;
  details: string;
  scopeName: string;
  clientHost: string;
  reason: string;
  eTag: number;
  events: SimRestoreEvent[];
}

export interface ServiceInstance {
  installationId: string;
  version: string;
}

export interface RestorePortalSettings {
  isEnabled: boolean;
  applicationId: string;
  restorePortalUri: string;
  msalAuthorityUri: string;
}

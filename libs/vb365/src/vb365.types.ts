/**
 * The VB365 REST v8 subset the product uses, named as in vb365_rest_v8.json. Enums are open: newer servers send
 * values older specs do not list (vb365.md "Conventions"), so each enum type also admits any string.
 */
export type Open<T extends string> = T | (string & { readonly __open?: never });

export interface Page<T> {
  offset: number;
  limit: number;
  setId: string | null;
  results: T[];
  /** HAL links; `next` is absent on the last page. */
  links: { next?: string; self?: string };
}

export interface OAuthTokenResponse {
  access_token: string;
  refresh_token: string | null;
  token_type: string;
  expires_in: number;
  userName: string | null;
  '.issued': string | null;
  '.expires': string | null;
}

export interface RESTServiceInstance {
  installationId: string | null;
  version: string | null;
}

export interface RESTRestorePortalSettings {
  isEnabled: boolean;
  applicationId: string | null;
  restorePortalUri: string | null;
  msalAuthorityUri: string | null;
}

export type RestOrganizationType = Open<'Office365' | 'OnPremises' | 'Hybrid'>;
export type RestOrganizationRegion = Open<'Worldwide' | 'Germany' | 'China' | 'USDefence' | 'USGovernment'>;

export interface RestOrganization {
  id: string;
  name: string | null;
  officeName: string | null;
  msid: string | null;
  type: RestOrganizationType | null;
  region: RestOrganizationRegion | null;
  isExchangeOnline: boolean | null;
  isSharePointOnline: boolean | null;
  isTeamsOnline: boolean | null;
  exchangeOnlineSettings: { useApplicationOnlyAuth: boolean | null } | null;
}

export interface RESTUser {
  id: string;
  displayName: string | null;
  /** E-mail / UPN. */
  name: string | null;
  type: Open<'User' | 'Shared' | 'Public'> | null;
  locationType: Open<'OnPremises' | 'Cloud' | 'Hybrid'> | null;
  msid: string | null;
}

export interface RESTGroup {
  id: string;
  displayName: string | null;
  name: string | null;
  type: Open<'Office365' | 'Security' | 'Distribution' | 'DynamicDistribution'> | null;
  msid: string | null;
}

export interface RESTSite {
  id: string;
  url: string | null;
  parentUrl: string | null;
  title: string | null;
  isCloud: boolean | null;
  isPersonal: boolean | null;
}

export interface RESTTeam {
  id: string;
  displayName: string | null;
  description: string | null;
  mail: string | null;
}

export type RbacRoleType = Open<'EntireOrganization' | 'SpecificObjects'>;

export interface RESTRbacRole {
  id: string;
  organizationId: string | null;
  name: string | null;
  description: string | null;
  roleType: RbacRoleType | null;
}

export interface RESTRbacUser {
  id: string;
  displayName: string;
  name: string;
  type: Open<'User' | 'SharedMailbox' | 'PublicMailbox'>;
}

export interface RESTRbacGroup {
  id: string;
  displayName: string;
  name: string;
  type: Open<'Office365' | 'Security' | 'Distribution' | 'DynamicDistribution' | 'Unknown'>;
}

export interface RESTRbacSite {
  id: string;
  url: string;
  title: string;
  parentUrl?: string;
  isCloud: boolean;
  isPersonal: boolean;
}

export interface RESTRbacTeam {
  id: string;
  displayName: string;
  description: string;
  mail: string;
}

/** `id` is set in responses: the id to pass to `DELETE ...?ids=`. */
export type RESTRbacOperator =
  | { id?: string; type: 'User'; user: RESTRbacUser }
  | { id?: string; type: 'Group'; group: RESTRbacGroup };

export type RESTRbacItem =
  | { id?: string; type: 'User'; user: RESTRbacUser }
  | { id?: string; type: 'Group'; group: RESTRbacGroup }
  | { id?: string; type: 'Site'; site: RESTRbacSite }
  | { id?: string; type: 'Team'; team: RESTRbacTeam };

export interface RESTRbacRoleCreateModel {
  name: string;
  description: string;
  roleType: 'EntireOrganization' | 'SpecificObjects';
  operators: RESTRbacOperator[];
  selectedItems: RESTRbacItem[];
  excludedItems: RESTRbacItem[];
}

export interface RESTRestoreSession {
  id: string;
  name: string | null;
  /** The organization's name, not its id (vb365.md). */
  organization: string | null;
  type: Open<'Vex' | 'Veod' | 'Vesp' | 'Vet'> | null;
  creationTime: string | null;
  endTime: string | null;
  state: Open<'Working' | 'Stopped'> | null;
  result: Open<'Success' | 'Warning' | 'Failed'> | null;
  initiatedBy: string | null;
  details: string | null;
  scopeName: string | null;
  clientHost: string | null;
  reason: string | null;
  eTag: number | null;
}

export interface RESTRestoreSessionEvent {
  id: string;
  type: Open<'None' | 'Save' | 'Export' | 'Send' | 'Restore' | 'View'> | null;
  status: Open<'Running' | 'Success' | 'Warning' | 'Failed' | 'Cancelled' | 'Skipped'> | null;
  startTime: string | null;
  endTime: string | null;
  duration: string | null;
  title: string | null;
  message: string | null;
  order: number | null;
  itemName: string | null;
  itemType: string | null;
  itemSizeBytes: number | null;
  source: string | null;
  target: string | null;
  organizationId: string | null;
  userId: string | null;
  groupId: string | null;
  siteId: string | null;
  teamId: string | null;
}

export interface RESTEvent {
  eventType: Open<'RestoreSessionUpdate' | 'RestoreSessionDelete'>;
  id: string | null;
  eTag: number | null;
  organizationId: string | null;
}

export interface EventsPage {
  nextChangeToken: string;
  results: RESTEvent[];
}

import { z } from 'zod';

const location = z.enum(['OnPremises', 'Cloud', 'Hybrid']).default('Cloud');

export const userSeed = z.object({
  id: z.string().optional(),
  displayName: z.string(),
  name: z.string(),
  type: z.enum(['User', 'Shared', 'Public']).default('User'),
  locationType: location,
  msid: z.string().uuid().nullable().optional(),
});
export const groupSeed = z.object({
  id: z.string().optional(),
  displayName: z.string(),
  name: z.string().optional(),
  type: z.enum(['Office365', 'Security', 'Distribution', 'DynamicDistribution']).default('Office365'),
  locationType: location,
  msid: z.string().uuid().nullable().optional(),
});
export const siteSeed = z.object({
  id: z.string().optional(),
  url: z.string(),
  parentUrl: z.string().default(''),
  title: z.string(),
  isCloud: z.boolean().default(true),
  isPersonal: z.boolean().default(false),
});
export const teamSeed = z.object({
  id: z.string().uuid().optional(),
  displayName: z.string(),
  description: z.string().default(''),
  mail: z.string().optional(),
});

export const organizationSeed = z.object({
  id: z.string().uuid().optional(),
  /** The Entra tenant id: links the organization to an entra-sim tenant. */
  msid: z.string().uuid(),
  name: z.string(),
  officeName: z.string().optional(),
  type: z.enum(['Office365', 'OnPremises', 'Hybrid']).default('Office365'),
  region: z.enum(['Worldwide', 'Germany', 'China', 'USDefence', 'USGovernment']).default('Worldwide'),
  useApplicationOnlyAuth: z.boolean().default(true),
  isExchangeOnline: z.boolean().default(true),
  isSharePointOnline: z.boolean().default(true),
  isTeamsOnline: z.boolean().default(true),
  users: z.array(userSeed).default([]),
  groups: z.array(groupSeed).default([]),
  sites: z.array(siteSeed).default([]),
  teams: z.array(teamSeed).default([]),
});

export const generateSpec = z.object({
  organizations: z.number().int().min(0).max(100_000),
  seed: z.number().int().default(1),
  /** Entra tenant ids for the first organizations (the rest get generated msids). */
  msids: z.array(z.string().uuid()).default([]),
  usersPerOrganization: z.number().int().min(0).default(10),
  groupsPerOrganization: z.number().int().min(0).default(3),
  sitesPerOrganization: z.number().int().min(0).default(3),
  teamsPerOrganization: z.number().int().min(0).default(2),
  /** Historic (Stopped) restore sessions spread over the last `historyDays`. */
  restoreSessions: z.number().int().min(0).max(2_000_000).default(0),
  eventsPerSession: z.number().int().min(1).max(100).default(5),
  historyDays: z.number().positive().default(30),
});

export const seedInput = z.object({
  serviceInstance: z.object({ installationId: z.string().uuid().optional(), version: z.string().optional() }).optional(),
  restorePortal: z
    .object({
      isEnabled: z.boolean().optional(),
      applicationId: z.string().uuid().optional(),
      restorePortalUri: z.string().optional(),
      msalAuthorityUri: z.string().optional(),
    })
    .optional(),
  organizations: z.array(organizationSeed).default([]),
  generate: generateSpec.optional(),
});

export type SeedInput = z.infer<typeof seedInput>;
export type OrganizationSeed = z.infer<typeof organizationSeed>;
export type GenerateSpec = z.infer<typeof generateSpec>;

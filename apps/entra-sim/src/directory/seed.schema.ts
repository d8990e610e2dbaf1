import { z } from 'zod';

const guid = z.string().regex(/^[0-9a-fA-F-]{36}$/, 'must be a GUID');

export const appSeedSchema = z.object({
  appId: guid,
  displayName: z.string(),
  /** PEM certificate(s) registered on the app (the orchestrator's certificate credential). */
  certificatePem: z.union([z.string(), z.array(z.string())]).optional(),
  secret: z.union([z.string(), z.array(z.string())]).optional(),
  redirectUris: z.array(z.string()).default([]),
  /** Graph application permissions by value, e.g. "Application.ReadWrite.All". */
  requiredAppRoles: z.array(z.string()).default([]),
  requiredDelegatedScopes: z.array(z.string()).default([]),
  /** Delegated scopes the app exposes, e.g. [{ value: "access_as_user" }] for the Restore Portal app. */
  exposedScopes: z.array(z.object({ value: z.string(), id: guid.optional() })).default([]),
});

const userSeedSchema = z.object({
  id: guid.optional(),
  displayName: z.string(),
  userPrincipalName: z.string(),
  mail: z.string().optional(),
  accountEnabled: z.boolean().default(true),
});

const groupSeedSchema = z.object({
  id: guid.optional(),
  displayName: z.string(),
  description: z.string().nullable().default(null),
  mailEnabled: z.boolean().default(false),
  securityEnabled: z.boolean().default(true),
});

const grantSeedSchema = z.object({
  clientAppId: z.string(),
  resourceAppId: z.string(),
  scope: z.string(),
  consentType: z.enum(['AllPrincipals', 'Principal']).default('AllPrincipals'),
  principalId: z.string().nullable().default(null),
});

export const tenantSeedSchema = z.object({
  id: guid,
  domain: z.string(),
  displayName: z.string().optional(),
  sizeClass: z.enum(['small', 'medium', 'large']).default('small'),
  /** How the tenant's admin answers the admin-consent page. */
  consent: z.enum(['consents', 'refuses']).default('consents'),
  /** Apps (by appId) already consented: SP exists and its required application permissions are assigned. */
  consentedApps: z.array(z.string()).default([]),
  /** Partial states for tests: bare service principals and grants present before the test starts. */
  servicePrincipals: z.array(z.object({ appId: z.string(), id: guid.optional() })).default([]),
  grants: z.array(grantSeedSchema).default([]),
  missingSpError: z.union([z.literal(700016), z.literal(7000229)]).default(700016),
  graphSpId: guid.optional(),
  users: z.array(userSeedSchema).default([]),
  groups: z.array(groupSeedSchema).default([]),
});

export const seedSchema = z.object({
  apps: z.array(appSeedSchema).default([]),
  tenants: z.array(tenantSeedSchema).default([]),
  generate: z
    .object({
      tenants: z.number().int().min(0).max(100_000),
      seed: z.number().int(),
      usersPerTenant: z.number().int().min(0).default(10),
      groupsPerTenant: z.number().int().min(0).default(0),
      consentedApps: z.array(z.string()).default([]),
      /** Every k-th generated tenant refuses consent (0: none). */
      refuseEvery: z.number().int().min(0).default(0),
    })
    .optional(),
});

export type SeedInput = z.input<typeof seedSchema>;
export type Seed = z.output<typeof seedSchema>;
export type AppSeed = z.output<typeof appSeedSchema>;
export type TenantSeed = z.output<typeof tenantSeedSchema>;

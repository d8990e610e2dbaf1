import { z } from 'zod/v4';

/** Graph payloads parsed at the boundary: only the fields the primitives use, extra fields ignored. */
export const servicePrincipalSchema = z.object({ id: z.string(), appId: z.string(), displayName: z.string().nullish() });
export type ServicePrincipalRef = z.infer<typeof servicePrincipalSchema>;

export const grantSchema = z.object({
  id: z.string(),
  clientId: z.string(),
  resourceId: z.string(),
  consentType: z.string(),
  principalId: z.string().nullable().optional(),
  scope: z.string().nullish().transform((s) => s ?? ''),
});
export type PermissionGrant = z.infer<typeof grantSchema>;

export const assignmentSchema = z.object({ id: z.string(), principalId: z.string(), resourceId: z.string(), appRoleId: z.string() });
export type AppRoleAssignment = z.infer<typeof assignmentSchema>;

export const organizationSchema = z.object({
  id: z.string(),
  displayName: z.string().nullish(),
  verifiedDomains: z.array(z.object({ name: z.string(), isDefault: z.boolean().optional(), isInitial: z.boolean().optional() })).default([]),
});
export type Organization = z.infer<typeof organizationSchema>;

export const pageSchema = z.object({ value: z.array(z.unknown()), '@odata.nextLink': z.string().optional() });

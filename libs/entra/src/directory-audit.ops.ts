import { z } from 'zod/v4';
import { GraphGateway } from './graph-gateway';

/** A directory audit record (entra-graph.md "directory audits"); extra fields are ignored. */
export const directoryAuditSchema = z.object({
  id: z.string(),
  activityDateTime: z.string(),
  activityDisplayName: z.string(),
  category: z.string().nullish(),
  result: z.string().nullish(),
  operationType: z.string().nullish(),
  correlationId: z.string().nullish(),
  initiatedBy: z
    .object({
      user: z.object({ id: z.string().nullish(), userPrincipalName: z.string().nullish(), displayName: z.string().nullish() }).nullish(),
      app: z.object({ appId: z.string().nullish(), displayName: z.string().nullish(), servicePrincipalId: z.string().nullish() }).nullish(),
    })
    .nullish(),
  targetResources: z
    .array(z.object({ id: z.string().nullish(), displayName: z.string().nullish(), type: z.string().nullish() }))
    .nullish()
    .transform((t) => t ?? []),
});
export type DirectoryAudit = z.infer<typeof directoryAuditSchema>;

export interface DirectoryAuditWindow {
  /** Inclusive lower bound on activityDateTime. */
  since?: Date;
  /** Inclusive upper bound on activityDateTime. */
  until?: Date;
  pageSize?: number;
}

/**
 * Directory audits (`/auditLogs/directoryAudits`), newest first as Graph returns them. Identity reports are
 * throttled at 5 requests per 10 s per app per tenant (entra-graph.md §6): pages are large ($top 999) and a 429
 * surfaces as a THROTTLED EntraError carrying Retry-After for the caller to wait out.
 */
export class DirectoryAuditOps {
  constructor(private readonly graph: GraphGateway) {}

  pages(tenantId: string, window: DirectoryAuditWindow = {}): AsyncGenerator<DirectoryAudit[]> {
    const clauses: string[] = [];
    if (window.since) clauses.push(`activityDateTime ge ${window.since.toISOString()}`);
    if (window.until) clauses.push(`activityDateTime le ${window.until.toISOString()}`);
    const params = new URLSearchParams({ $top: String(window.pageSize ?? 999) });
    if (clauses.length) params.set('$filter', clauses.join(' and '));
    return this.graph.pages(tenantId, `/auditLogs/directoryAudits?${params.toString()}`, directoryAuditSchema, {
      operation: 'list directory audits',
      requiredPermission: 'AuditLog.Read.All',
    });
  }
}

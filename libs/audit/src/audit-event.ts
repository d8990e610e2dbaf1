/** Where an audit record came from; (source, externalId, occurredAt) identifies it (docs/audit.md). */
export const AUDIT_SOURCES = ['vb365.session', 'vb365.event', 'entra.directory'] as const;
export type AuditSource = (typeof AUDIT_SOURCES)[number];

/** One row for `audit_events`, ready to write. */
export interface AuditEventInput {
  tenantId: string;
  source: AuditSource;
  externalId: string;
  occurredAt: Date;
  actor: string | null;
  action: string;
  itemType: string | null;
  itemName: string | null;
  result: string | null;
  /** The source's version of the record (VB365 session eTag; 0 where the source has none). */
  version: number;
  details: Record<string, unknown>;
}

import { z } from 'zod';
import type { FaultSettings } from '@app/sim-kit';

/** entra-sim's fault settings: the shared ones plus replication lag and the documented token-bucket mode. */
export interface EntraFaultSettings extends FaultSettings {
  /** Objects created less than this many ms ago answer 404 on read (directory replication, contract §5). */
  replicationLagMs?: number;
  /** Probability that a write applies but answers 404 anyway (contract §5: re-read before re-writing). */
  writeAppliedButNotFoundRate?: number;
  /** Applies the documented per-app-per-tenant limits (contract §6) instead of (or besides) random 429s. */
  tokenBucket?: TokenBucketSettings;
}

export interface TokenBucketSettings {
  enabled: boolean;
  /** Overrides of the documented figures, so tests can hit the limits with a handful of requests. */
  ruPer10s?: number;
  writesPer150s?: number;
  auditRequestsPer10s?: number;
}

const rate = z.number().min(0).max(1);
export const faultSettingsSchema = z
  .object({
    latencyMs: z.number().min(0),
    jitterMs: z.number().min(0),
    throttleRate: rate,
    retryAfterSeconds: z.tuple([z.number().min(0), z.number().min(0)]),
    error500Rate: rate,
    error503Rate: rate,
    error504Rate: rate,
    resetRate: rate,
    replicationLagMs: z.number().min(0),
    writeAppliedButNotFoundRate: rate,
    tokenBucket: z.object({
      enabled: z.boolean(),
      ruPer10s: z.number().positive().optional(),
      writesPer150s: z.number().positive().optional(),
      auditRequestsPer10s: z.number().positive().optional(),
    }),
  })
  .partial();

/** PUT /_sim/faults body: `{ global?: settings, tenants?: { <tenantId>: settings } }`, replacing what was set. */
export const faultsBodySchema = z.object({
  global: faultSettingsSchema.optional(),
  tenants: z.record(faultSettingsSchema).optional(),
});

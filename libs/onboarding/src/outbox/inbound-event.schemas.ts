import { z } from 'zod';

/**
 * Inbound webhook events from the MSP's PSA/billing system (docs/webhooks.md). Tenants are named by their Entra
 * tenant id, the identifier both systems know. Strict: unknown fields make the event invalid, never ignored.
 */
const entraTenantId = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a GUID')
  .transform((v) => v.toLowerCase());
const tags = z.array(z.string().regex(/^[A-Za-z0-9:._-]{1,64}$/, 'tags are 1-64 of A-Z a-z 0-9 : . _ -')).max(50);
const displayName = z.string().trim().min(1).max(256);
const consentMode = z.enum(['preconsented', 'admin_consent_link']);

export const inboundEventSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('tenant.created'),
      data: z.object({ entraTenantId, displayName, tags: tags.optional(), excluded: z.boolean().optional(), consentMode: consentMode.optional() }).strict(),
    })
    .strict(),
  z
    .object({
      type: z.literal('tenant.updated'),
      data: z.object({ entraTenantId, displayName: displayName.optional(), tags: tags.optional(), excluded: z.boolean().optional(), consentMode: consentMode.optional() }).strict(),
    })
    .strict(),
  z.object({ type: z.literal('tenant.offboarded'), data: z.object({ entraTenantId }).strict() }).strict(),
  z.object({ type: z.literal('tenant.resync'), data: z.object({ entraTenantId }).strict() }).strict(),
]);

export type InboundEventBody = z.infer<typeof inboundEventSchema>;

/** Parses a raw body; the reason names every problem (stored with the event, never echoed with secrets). */
export function parseInboundEvent(raw: string): { ok: true; event: InboundEventBody } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, reason: 'body is not JSON' };
  }
  const r = inboundEventSchema.safeParse(json);
  if (r.success) return { ok: true, event: r.data };
  return { ok: false, reason: r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ').slice(0, 1000) };
}

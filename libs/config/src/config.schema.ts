import { z } from 'zod';

/**
 * Every environment variable the product reads, with its default. `.env.example` documents the same list and a
 * unit test keeps the two in step. Only this library reads process.env (lint-enforced).
 */
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const url = (protocols: string[]) =>
  z
    .string()
    .url()
    .refine((v) => protocols.includes(new URL(v).protocol), { message: `must use ${protocols.join(' or ')}` });
const guid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a GUID');

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),

  DATABASE_URL: url(['postgres:', 'postgresql:']),
  DATABASE_PREPARED_STATEMENTS: bool.default('true'),
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  QUEUE_PREFIX: z
    .string()
    .regex(/^\{[A-Za-z0-9:_-]+\}$/, 'must be a Redis Cluster hash tag such as {orch}')
    .default('{orch}'),

  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: int(0, 65535).default(3000),
  PUBLIC_BASE_URL: url(['http:', 'https:']).default('http://127.0.0.1:3000'),
  API_SHUTDOWN_TIMEOUT_MS: int(0, 600_000).default(10_000),
  API_BODY_LIMIT_BYTES: int(1024, 50 * 1024 * 1024).default(1024 * 1024),
  // Which proxies' X-Forwarded-For the api believes for the client IP it records (activity_log.client_ip): `false`
  // (default: the socket address, XFF ignored), `true` (any), a hop count, or comma-separated addresses/CIDRs.
  TRUST_PROXY: z
    .string()
    .regex(/^(true|false|\d{1,2}|[0-9a-fA-F.:/]+(,[0-9a-fA-F.:/]+)*)$/, 'must be true, false, a hop count or comma-separated addresses/CIDRs')
    .default('false'),

  WORKER_HOST: z.string().min(1).default('127.0.0.1'),
  WORKER_HEALTH_PORT: int(0, 65535).default(3001),
  WORKER_CONCURRENCY: int(1, 1000).default(20),
  WORKER_SHUTDOWN_TIMEOUT_MS: int(0, 600_000).default(30_000),
  RUN_STUCK_AFTER_MINUTES: int(1, 24 * 60).default(30),

  ORCHESTRATOR_APP_ID: guid.optional(),
  ORCHESTRATOR_CERT_PATH: z.string().min(1).optional(),
  ORCHESTRATOR_CLIENT_SECRET: z.string().min(1).optional(),
  RESTORE_PORTAL_APP_ID: guid.optional(),
  ENTRA_AUTHORITY_HOST: url(['https:']).default('https://login.microsoftonline.com'),
  GRAPH_BASE_URL: url(['https:']).default('https://graph.microsoft.com'),

  VB365_BASE_URL: url(['https:']).optional(),
  VB365_USERNAME: z.string().min(1).optional(),
  VB365_PASSWORD: z.string().min(1).optional(),
  VB365_CA_BUNDLE: z.string().min(1).optional(),
  VB365_MAX_CONCURRENT: int(1, 256).default(8),
  // Seconds between reads of the VB365 change feed (/v8/Events) that trigger audit syncs of the tenants whose
  // restore sessions changed (docs/change-feed.md); 0 leaves the feed to the minute-level server sync.
  VB365_CHANGE_FEED_POLL_SECONDS: int(0, 3600).default(10),

  // Signs admin-consent `state` values (HMAC-SHA256). Bootstrap only: the api imports it into the encrypted secret
  // store as `consent.state-key` (the source of truth). With no key stored, consent routes answer 503 in production;
  // elsewhere a random per-process key is used, so links outlive neither a restart nor another api process.
  CONSENT_STATE_SECRET: z.string().min(32, 'must be at least 32 characters (openssl rand -base64 32)').optional(),
  // How long a consent link stays usable. Links travel by email to customer admins, hence a day by default.
  CONSENT_LINK_TTL_MINUTES: int(5, 30 * 24 * 60).default(24 * 60),

  SCHEDULE_INTERVAL_MINUTES: int(1, 7 * 24 * 60).default(15),
  SECRET_ENCRYPTION_KEY: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}=$/, 'must be 32 random bytes, base64-encoded (openssl rand -base64 32)')
    .optional(),
  // Issue 8 (trust): the id stored with every data key wrapped by SECRET_ENCRYPTION_KEY, and earlier master keys
  // (`id:base64` pairs, comma-separated) still accepted for reading until `npm run secrets:rewrap` has run.
  SECRET_ENCRYPTION_KEY_ID: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'letters, digits, - and _ (at most 32)').default('k1'),
  SECRET_ENCRYPTION_PREVIOUS_KEYS: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/]{43}=(,[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/]{43}=)*$/, 'must be id:base64key pairs, comma-separated')
    .optional(),
  // Inbound webhook sources and their shared secrets, `source:whsec_…` comma-separated; a source listed twice has
  // two active secrets (previous, then current). Bootstrap only: the api imports them into the encrypted secret
  // store (`webhook.inbound.<source>`), which is the source of truth (docs/webhooks.md).
  INBOUND_WEBHOOK_SECRETS: z
    .string()
    .regex(/^[a-z0-9-]{1,32}:[^,:\s]{16,}(,[a-z0-9-]{1,32}:[^,:\s]{16,})*$/, 'must be source:secret pairs, comma-separated (secrets at least 16 characters)')
    .optional(),
  // Requests per minute per API key (all api processes together, counted in Redis); 0 disables the limit. The
  // default (100/s) is there to stop a runaway client, not to shape a healthy portal backend.
  RATE_LIMIT_PER_MINUTE: int(0, 1_000_000).default(6000),
  // Subscribe to Graph change notifications on the groups tenants' declared roles use (PUBLIC_BASE_URL must then be
  // an https URL Graph can reach: it POSTs the validation handshake and notifications to /v1/graph/notifications).
  GRAPH_CHANGE_NOTIFICATIONS: bool.default('false'),
  METRICS_ENABLED: bool.default('true'),
});

export type Env = z.infer<typeof envSchema>;

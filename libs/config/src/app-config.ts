import { Env, envSchema } from './config.schema';

/** The validated configuration, as one nested typed object (STYLE.md 13). */
export interface AppConfig {
  env: Env['NODE_ENV'];
  log: { level: Env['LOG_LEVEL']; format: 'json' | 'pretty' };
  /** preparedStatements: name each distinct statement so Postgres parses it once per connection (prisma.service). */
  database: { url: string; preparedStatements: boolean };
  redis: { url: string; queuePrefix: string };
  api: {
    host: string;
    port: number;
    publicBaseUrl: string;
    shutdownTimeoutMs: number;
    bodyLimitBytes: number;
    /** Fastify `trustProxy`: whose X-Forwarded-For decides the recorded client IP (false: the socket's). */
    trustProxy: boolean | number | string;
  };
  worker: { host: string; healthPort: number; concurrency: number; shutdownTimeoutMs: number; runStuckAfterMinutes: number };
  entra: {
    orchestratorAppId?: string;
    certificatePath?: string;
    clientSecret?: string;
    restorePortalAppId?: string;
    authorityHost: string;
    graphBaseUrl: string;
  };
  vb365: {
    baseUrl?: string;
    username?: string;
    password?: string;
    caBundlePath?: string;
    maxConcurrent: number;
    /** Change-feed poll interval (docs/change-feed.md); 0: disabled. */
    changeFeedPollSeconds: number;
  };
  schedule: { intervalMinutes: number };
  consent: {
    /**
     * HMAC key for consent `state`. Optional like the other outside-facing credentials: the api answers 503 on
     * consent routes in production without it, and makes up a per-process key elsewhere (apps/api consent module).
     */
    stateSecret?: string;
    linkTtlMinutes: number;
  };
  security: {
    secretEncryptionKey?: string;
    /** Id stored with data keys wrapped by secretEncryptionKey (issue 8). */
    secretEncryptionKeyId: string;
    /** Earlier master keys, still accepted for reading until every data key is re-wrapped. */
    previousEncryptionKeys: { id: string; key: string }[];
  };
  /** Inbound webhook source → active shared secrets (two during a rotation). */
  webhooks: { inboundSecrets: Record<string, string[]> };
  /** Requests per minute per API key; 0: unlimited. */
  rateLimit: { perMinute: number };
  /** Graph change-notification subscriptions per tenant (issue 8). */
  graphNotifications: { enabled: boolean };
  metrics: { enabled: boolean };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates the whole environment at once and reports every bad variable in one message. */
export function parseConfig(source: Record<string, string | undefined>): AppConfig {
  // Empty strings mean "unset" (docker compose passes VAR= for optional variables).
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message === 'Required' ? 'is required' : i.message}`),
    );
  }
  const e = parsed.data;
  const problems: string[] = [];
  if (e.ORCHESTRATOR_CERT_PATH && e.ORCHESTRATOR_CLIENT_SECRET) {
    problems.push('ORCHESTRATOR_CERT_PATH / ORCHESTRATOR_CLIENT_SECRET: set one of them, not both');
  }
  // VB365_USERNAME / VB365_PASSWORD are not required with VB365_BASE_URL: the credentials live in the encrypted
  // secret store, and these variables only import them at start (docs/security.md).
  if (problems.length) throw new ConfigError(problems);
  return {
    env: e.NODE_ENV,
    log: { level: e.LOG_LEVEL, format: e.LOG_FORMAT ?? (e.NODE_ENV === 'production' ? 'json' : 'pretty') },
    database: { url: e.DATABASE_URL, preparedStatements: e.DATABASE_PREPARED_STATEMENTS },
    redis: { url: e.REDIS_URL, queuePrefix: e.QUEUE_PREFIX },
    api: {
      host: e.API_HOST,
      port: e.API_PORT,
      publicBaseUrl: e.PUBLIC_BASE_URL.replace(/\/$/, ''),
      shutdownTimeoutMs: e.API_SHUTDOWN_TIMEOUT_MS,
      bodyLimitBytes: e.API_BODY_LIMIT_BYTES,
      trustProxy: e.TRUST_PROXY === 'true' ? true : e.TRUST_PROXY === 'false' ? false : /^\d+$/.test(e.TRUST_PROXY) ? Number(e.TRUST_PROXY) : e.TRUST_PROXY,
    },
    worker: {
      host: e.WORKER_HOST,
      healthPort: e.WORKER_HEALTH_PORT,
      concurrency: e.WORKER_CONCURRENCY,
      shutdownTimeoutMs: e.WORKER_SHUTDOWN_TIMEOUT_MS,
      runStuckAfterMinutes: e.RUN_STUCK_AFTER_MINUTES,
    },
    entra: {
      orchestratorAppId: e.ORCHESTRATOR_APP_ID,
      certificatePath: e.ORCHESTRATOR_CERT_PATH,
      clientSecret: e.ORCHESTRATOR_CLIENT_SECRET,
      restorePortalAppId: e.RESTORE_PORTAL_APP_ID,
      authorityHost: e.ENTRA_AUTHORITY_HOST,
      graphBaseUrl: e.GRAPH_BASE_URL,
    },
    vb365: {
      baseUrl: e.VB365_BASE_URL,
      username: e.VB365_USERNAME,
      password: e.VB365_PASSWORD,
      caBundlePath: e.VB365_CA_BUNDLE,
      maxConcurrent: e.VB365_MAX_CONCURRENT,
      changeFeedPollSeconds: e.VB365_CHANGE_FEED_POLL_SECONDS,
    },
    schedule: { intervalMinutes: e.SCHEDULE_INTERVAL_MINUTES },
    consent: {
      stateSecret: e.CONSENT_STATE_SECRET,
      linkTtlMinutes: e.CONSENT_LINK_TTL_MINUTES,
    },
    security: {
      secretEncryptionKey: e.SECRET_ENCRYPTION_KEY,
      secretEncryptionKeyId: e.SECRET_ENCRYPTION_KEY_ID,
      previousEncryptionKeys: (e.SECRET_ENCRYPTION_PREVIOUS_KEYS?.split(',') ?? []).map((pair) => {
        const at = pair.indexOf(':');
        return { id: pair.slice(0, at), key: pair.slice(at + 1) };
      }),
    },
    webhooks: {
      inboundSecrets: (e.INBOUND_WEBHOOK_SECRETS?.split(',') ?? []).reduce<Record<string, string[]>>((acc, pair) => {
        const at = pair.indexOf(':');
        (acc[pair.slice(0, at)] ??= []).push(pair.slice(at + 1));
        return acc;
      }, {}),
    },
    rateLimit: { perMinute: e.RATE_LIMIT_PER_MINUTE },
    graphNotifications: { enabled: e.GRAPH_CHANGE_NOTIFICATIONS },
    metrics: { enabled: e.METRICS_ENABLED },
  };
}

let cached: AppConfig | undefined;

/** Reads process.env once per process. */
export function loadConfig(): AppConfig {
  cached ??= parseConfig(process.env);
  return cached;
}

/** Names of every variable the product reads (for .env.example and docker consistency checks). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(envSchema.shape);
export const REQUIRED_VARIABLES: readonly string[] = Object.entries(envSchema.shape)
  .filter(([, s]) => !s.isOptional())
  .map(([k]) => k);

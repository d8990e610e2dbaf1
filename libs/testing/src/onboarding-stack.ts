import { EntraClient } from '@app/entra';
import { PrismaService } from '@app/db';
import { parseConfig } from '@app/config';
import { ReadyProcess } from './process-harness';
import { deleteQueueKeys, startApi, startWorker, testQueuePrefix } from './app-harness';
import { buildScenario, helpdeskRole, Scenario, ScenarioOptions } from './scenario';
import { RunningSimulator, startSimulator } from './simulator-harness';
import { createTestDatabase, TestDatabase } from './test-database';
import { issueTestApiKey, TEST_VB365_PASSWORD, TEST_VB365_USERNAME } from './test-secrets';

export interface OnboardingStack {
  scenario: Scenario;
  db: TestDatabase;
  prisma: PrismaService;
  entra: RunningSimulator;
  vb365: RunningSimulator;
  api: ReadyProcess<{ url: string }>;
  worker: ReadyProcess<{ url: string }>;
  apiKey: string;
  env: Record<string, string>;
  /** JSON call to the api with the admin key; returns status and parsed body. */
  call<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Registers scenario tenants directly in Postgres (fast; the API path is tested on its own). */
  registerTenants(indexes?: number[]): Promise<Map<number, string>>;
  waitForRun(runId: string, timeoutMs?: number): Promise<{ status: string; steps: { name: string; status: string; errorCode: string | null; changes: unknown[] }[] }>;
  startWorker(extraEnv?: Record<string, string>): Promise<ReadyProcess<{ url: string }>>;
  /** The real EntraClient as the orchestrator app against this stack's entra-sim (tests that change consent state). */
  orchestratorClient(): EntraClient;
  stop(): Promise<void>;
}

const REDIS_URL = (): string => process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The api's and worker's configuration that points them at both simulators and the scenario's apps. */
export function simulatorEnv(scenario: Scenario, entra: RunningSimulator, vb365: RunningSimulator): Record<string, string> {
  return {
    ENTRA_AUTHORITY_HOST: entra.urls['identity']!,
    GRAPH_BASE_URL: entra.urls['graph']!,
    ORCHESTRATOR_APP_ID: scenario.orchestratorAppId,
    ORCHESTRATOR_CERT_PATH: scenario.orchestratorCertPath,
    RESTORE_PORTAL_APP_ID: scenario.restorePortalAppId,
    VB365_BASE_URL: vb365.urls['api']!,
    VB365_USERNAME: TEST_VB365_USERNAME,
    VB365_PASSWORD: TEST_VB365_PASSWORD,
  };
}

/** JSON calls to the api with an API key; returns status and parsed body. */
export function apiCaller(baseUrl: string, apiKey: string) {
  return async <T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
}

/** Declares the Helpdesk restore operator role (helpdeskRole()) for each tenant, straight into Postgres. */
export async function declareHelpdeskRole(prisma: PrismaService, tenantIds: string[]): Promise<void> {
  const role = helpdeskRole();
  await prisma.roleSpec.createMany({
    data: tenantIds.map((tenantId) => ({
      tenantId,
      name: String(role['name']),
      description: String(role['description']),
      scope: 'entire_organization' as const,
      operators: [{ kind: 'group', ref: 'Helpdesk' }],
      selectedItems: [],
      excludedItems: [{ kind: 'group', ref: 'Executives' }],
    })),
  });
}

/**
 * Everything a user would run, for end-to-end tests: a fresh database and queue prefix, both simulators seeded
 * with one consistent scenario, and the api and worker as separate processes configured against the simulators
 * (the real @azure/identity, Graph client and VB365 client over HTTPS).
 */
export async function startOnboardingStack(
  opts: Omit<ScenarioOptions, 'redirectUri'> & { workerEnv?: Record<string, string>; appEnv?: Record<string, string>; workerExecArgv?: string[] },
): Promise<OnboardingStack> {
  const db = await createTestDatabase();
  const prefix = testQueuePrefix();
  const entra = await startSimulator('entra-sim');
  const vb365 = await startSimulator('vb365-sim');
  // The api's port is only known once it runs; the consent redirect URI is registered with a fixed public URL.
  const publicBaseUrl = 'http://127.0.0.1:3000';
  const scenario = buildScenario({ ...opts, redirectUri: `${publicBaseUrl}/v1/consent/callback` });
  await entra.admin('/_sim/seed', scenario.entraSeed, 'POST', 'identity');
  await vb365.admin('/_sim/seed', scenario.vb365Seed);
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'info',
    PUBLIC_BASE_URL: publicBaseUrl,
    ...simulatorEnv(scenario, entra, vb365),
    ...opts.appEnv,
  };
  const prisma = new PrismaService(parseConfig({ DATABASE_URL: db.url }));
  const apiKey = (await issueTestApiKey(prisma, { name: 'e2e-admin', scopes: ['admin'], tenantTags: [] })).key;
  const workers: ReadyProcess<{ url: string }>[] = [];
  const spawnWorker = async (extra: Record<string, string> = {}) => {
    const w = await startWorker({ ...env, ...opts.workerEnv, ...extra } as typeof env & { DATABASE_URL: string; QUEUE_PREFIX: string }, opts.workerExecArgv);
    workers.push(w);
    return w;
  };
  const worker = await spawnWorker();
  const api = await startApi(env as typeof env & { DATABASE_URL: string; QUEUE_PREFIX: string });
  const call = apiCaller(api.info.url, apiKey);
  return {
    scenario,
    db,
    prisma,
    entra,
    vb365,
    api,
    worker,
    apiKey,
    env,
    call,
    startWorker: spawnWorker,
    orchestratorClient: () =>
      new EntraClient({
        authorityHost: env['ENTRA_AUTHORITY_HOST']!,
        graphBaseUrl: env['GRAPH_BASE_URL']!,
        clientId: scenario.orchestratorAppId,
        certificatePath: scenario.orchestratorCertPath,
        lruSize: 10,
      }),
    async registerTenants(indexes) {
      const ids = new Map<number, string>();
      for (const t of scenario.tenants.filter((x) => !indexes || indexes.includes(x.index))) {
        const row = await prisma.tenant.create({
          data: {
            entraTenantId: t.entraTenantId,
            primaryDomain: t.domain,
            displayName: t.displayName,
            consentMode: t.consent === 'preconsented' ? 'preconsented' : 'admin_consent_link',
            status: 'awaiting_consent',
          },
        });
        ids.set(t.index, row.id);
      }
      return ids;
    },
    async waitForRun(runId, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { body } = await call<{ status: string; steps: { name: string; status: string; errorCode: string | null; changes: unknown[] }[] }>(
          'GET',
          `/v1/runs/${runId}`,
        );
        if (['succeeded', 'failed', 'cancelled', 'awaiting_consent'].includes(body.status)) return body;
        if (Date.now() > deadline) throw new Error(`run ${runId} still ${body.status} after ${timeoutMs} ms: ${JSON.stringify(body)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async stop() {
      await Promise.all([api.stop(5000), ...workers.map((w) => w.stop(5000))]);
      await Promise.all([entra.stop(), vb365.stop()]);
      await prisma.$disconnect();
      await deleteQueueKeys(REDIS_URL(), prefix);
      await db.drop();
    },
  };
}

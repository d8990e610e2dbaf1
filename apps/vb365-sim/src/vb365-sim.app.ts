import formbody from '@fastify/formbody';
import { ContractValidator, FaultPlan, SimTls, createSimServer, installContractRecorder } from '@app/sim-kit';
import { FastifyInstance } from 'fastify';
import { registerAdminRoutes } from './admin/admin.routes';
import { installTrafficControl } from './admin/traffic-control';
import { TrafficStats } from './admin/traffic-stats';
import { RestoreGenerator } from './audit/restore-generator';
import { RestError, sendRestError } from './http/rest-error';
import { registerAuthRoutes } from './routes/auth.routes';
import { registerDirectoryRoutes } from './routes/directory.routes';
import { registerOrganizationRoutes } from './routes/organizations.routes';
import { registerRbacMemberRoutes } from './routes/rbac-members.routes';
import { registerRbacRoleRoutes } from './routes/rbac-roles.routes';
import { registerRestoreSessionRoutes } from './routes/restore-sessions.routes';
import { registerServiceRoutes } from './routes/service.routes';
import { TokenService } from './routes/token.service';
import { applySeed } from './store/seed.service';
import { SeedInput } from './store/seed.schema';
import { SimStore } from './store/sim-store';

export interface Vb365SimOptions {
  tls: SimTls;
  username: string;
  password: string;
  tokenLifetimeSeconds: number;
  /** 0 = no cap. */
  maxConcurrent: number;
  changeFeedRetention: number;
  maxLongPollSeconds: number;
  seed?: SeedInput;
  /** When set, every /v8 request and response is validated against this OpenAPI file (GET /_sim/contract). */
  contractSpecPath?: string;
}

export interface Vb365Sim {
  app: FastifyInstance;
  store: SimStore;
  generator: RestoreGenerator;
}

export async function buildVb365Sim(opts: Vb365SimOptions): Promise<Vb365Sim> {
  const app = createSimServer({ name: 'vb365-sim', tls: opts.tls, bodyLimit: 64 * 1024 * 1024 });
  await app.register(formbody);
  const store = new SimStore(opts.changeFeedRetention);
  const tokens = new TokenService(opts.tokenLifetimeSeconds);
  const faults = new FaultPlan();
  const stats = new TrafficStats();
  const settings = { maxConcurrent: opts.maxConcurrent };
  const generator = new RestoreGenerator(store, opts.username);

  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof RestError) return sendRestError(reply, error.status, error.message, error.errorCode);
    const status = typeof (error as { statusCode?: unknown }).statusCode === 'number' ? (error as { statusCode: number }).statusCode : 500;
    if (status >= 400 && status < 500) return sendRestError(reply, status, (error as Error).message, 'ParameterValidationFailure');
    console.error('vb365-sim unhandled error', error);
    return sendRestError(reply, 500, 'Internal server error.', null);
  });
  app.setNotFoundHandler((request, reply) => sendRestError(reply, 404, `No route ${request.method} ${request.url.split('?')[0]}.`, 'ResourceNotFound'));

  if (opts.contractSpecPath) installContractRecorder(app, await ContractValidator.load(opts.contractSpecPath), '/v8/');
  installTrafficControl(app, { store, tokens, faults, stats, settings });
  registerAuthRoutes(app, tokens, { username: opts.username, password: opts.password });
  registerServiceRoutes(app, store);
  registerOrganizationRoutes(app, store);
  registerDirectoryRoutes(app, store);
  registerRbacRoleRoutes(app, store);
  registerRbacMemberRoutes(app, store);
  registerRestoreSessionRoutes(app, store, opts.maxLongPollSeconds);
  registerAdminRoutes(app, {
    store,
    tokens,
    faults,
    stats,
    settings,
    generator,
    adminName: opts.username,
    defaultTokenLifetime: opts.tokenLifetimeSeconds,
    defaultMaxConcurrent: opts.maxConcurrent,
    defaultRetention: opts.changeFeedRetention,
  });
  app.addHook('onClose', async () => generator.stop());
  if (opts.seed) applySeed(store, opts.seed, opts.username);
  return { app, store, generator };
}

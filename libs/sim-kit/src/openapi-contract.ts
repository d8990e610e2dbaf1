import { existsSync, readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { OpenAPIBackend } from 'openapi-backend';

export interface ContractViolation {
  direction: 'request' | 'response';
  method: string;
  path: string;
  status?: number;
  operationId?: string;
  errors: unknown;
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Validates requests and responses against an OpenAPI 3 description with openapi-backend (ajv). Generic: the
 * simulators and contract tests share it. openapi-backend is a dev dependency, so it is loaded only when a
 * validator is created.
 */
export class ContractValidator {
  private constructor(
    private readonly api: OpenAPIBackend,
    private readonly responses: Map<string, Set<string>>,
  ) {}

  static async load(specPath: string): Promise<ContractValidator> {
    if (!existsSync(specPath)) {
      throw new Error(`CONTRACT MISSING: the OpenAPI description ${specPath} does not exist; contract validation cannot run.`);
    }
    const definition = JSON.parse(readFileSync(specPath, 'utf8')) as Json;
    const responses = new Map<string, Set<string>>();
    const paths = isObj(definition.paths) ? definition.paths : {};
    for (const item of Object.values(paths)) {
      if (!isObj(item)) continue;
      for (const op of Object.values(item)) {
        if (!isObj(op) || typeof op.operationId !== 'string' || !isObj(op.responses)) continue;
        responses.set(op.operationId, new Set(Object.keys(op.responses)));
        for (const res of Object.values(op.responses)) {
          // openapi-backend only validates `application/json` bodies; VB365 declares some JSON answers (POST
          // /v8/token) as `*/*`, which includes JSON: validate those with the same schema.
          if (isObj(res) && isObj(res.content) && res.content['*/*'] && !res.content['application/json']) {
            res.content['application/json'] = res.content['*/*'];
          }
        }
      }
    }
    const { OpenAPIBackend: Backend } = await import('openapi-backend');
    const api = new Backend({
      definition: definition as never,
      quick: true,
      validate: true,
      strict: false,
      coerceTypes: true,
      ajvOpts: { strict: false, allErrors: true },
      customizeAjv: (ajv) => {
        ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
        ajv.addFormat('date-time', (s: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(s));
        for (const f of ['int32', 'int64', 'password', 'binary', 'byte', 'double', 'float', 'date', 'uri', 'email']) ajv.addFormat(f, true);
        return ajv;
      },
    });
    await api.init();
    return new ContractValidator(api, responses);
  }

  operationId(method: string, path: string): string | undefined {
    return this.api.matchOperation({ method: method.toLowerCase(), path, headers: {} })?.operationId;
  }

  /** Errors for a request, or undefined when it conforms. An unknown path/method is itself a violation. */
  validateRequest(req: { method: string; path: string; query?: Record<string, unknown>; headers?: Record<string, unknown>; body?: unknown }): unknown {
    const op = this.api.matchOperation({ method: req.method.toLowerCase(), path: req.path, headers: {} });
    if (!op) return [{ message: `no operation ${req.method} ${req.path} in the contract` }];
    const headers = Object.fromEntries(Object.entries(req.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
    let body = req.body;
    // Form encoding has no types: decode booleans the way the server's model binder does before validating.
    if (String(headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded') && isObj(body)) {
      body = Object.fromEntries(Object.entries(body).map(([k, v]) => [k, v === 'true' ? true : v === 'false' ? false : v]));
    }
    const result = this.api.validateRequest(
      { method: req.method.toLowerCase(), path: req.path, query: (req.query ?? {}) as Record<string, string>, headers, body },
      op,
    );
    return result.valid ? undefined : result.errors;
  }

  /** Errors for a response, or undefined. The status must be declared (or covered by `default`). */
  validateResponse(method: string, path: string, status: number, body: unknown): unknown {
    const op = this.api.matchOperation({ method: method.toLowerCase(), path, headers: {} });
    if (!op?.operationId) return [{ message: `no operation ${method} ${path} in the contract` }];
    const declared = this.responses.get(op.operationId) ?? new Set<string>();
    if (!declared.has(String(status)) && !declared.has('default')) return [{ message: `status ${status} not declared for ${op.operationId}` }];
    if (body === undefined) {
      return status === 204 || !declared.has(String(status)) ? undefined : [{ message: `empty body for ${status}` }];
    }
    const result = this.api.validateResponse(body, op, status);
    return result.valid ? undefined : result.errors;
  }
}

/**
 * Validates every request and response under `prefix` as it passes and records violations, served on
 * GET /_sim/contract. Lets integration tests assert that both the product's client and the simulator spoke the
 * contract during a whole test run.
 */
export function installContractRecorder(app: FastifyInstance, validator: ContractValidator, prefix: string): void {
  const violations: ContractViolation[] = [];
  let requests = 0;
  let responses = 0;
  const record = (v: ContractViolation): void => {
    if (violations.length < 500) violations.push(v);
  };
  app.addHook('preHandler', async (request) => {
    if (!request.url.startsWith(prefix)) return;
    requests += 1;
    const path = request.url.split('?')[0]!;
    const errors = validator.validateRequest({
      method: request.method,
      path,
      query: request.query as Record<string, unknown>,
      headers: request.headers,
      body: request.body,
    });
    if (errors) record({ direction: 'request', method: request.method, path, errors });
  });
  app.addHook('onSend', async (request, reply, payload) => {
    if (!request.url.startsWith(prefix)) return payload;
    responses += 1;
    const path = request.url.split('?')[0]!;
    let body: unknown;
    if (typeof payload === 'string' && payload.length > 0) {
      try {
        body = JSON.parse(payload);
      } catch {
        body = payload;
      }
    }
    const errors = validator.validateResponse(request.method, path, reply.statusCode, body);
    if (errors) record({ direction: 'response', method: request.method, path, status: reply.statusCode, errors });
    return payload;
  });
  app.get('/_sim/contract', async () => ({ enabled: true, requests, responses, violations }));
  app.delete('/_sim/contract', async () => {
    violations.length = 0;
    requests = 0;
    responses = 0;
    return { cleared: true };
  });
}

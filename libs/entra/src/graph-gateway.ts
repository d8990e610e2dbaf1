import { z } from 'zod/v4';
import { sleep } from '@app/common';
import { EntraClientOptions } from './entra-client.options';
import { diagnoseAuthority } from './authority-diagnosis';
import { ErrorContext, toEntraError } from './entra-error.mapper';
import { EntraError, entraError } from './entra.errors';
import { pageSchema } from './graph.schemas';
import { TenantConnections } from './tenant-connections';

export interface CallContext {
  operation: string;
  requiredPermission: string;
}

/** Graph calls for one tenant: errors become EntraErrors, payloads are parsed, lists follow @odata.nextLink. */
/** In-place retries of an idempotent read after a TRANSIENT failure (see `read`). */
const READ_RETRIES = 2;

export class GraphGateway {
  constructor(
    private readonly connections: TenantConnections,
    private readonly opts: EntraClientOptions,
  ) {}

  private ctx(tenantId: string, c: CallContext): ErrorContext {
    return { tenantId, operation: c.operation, requiredPermission: c.requiredPermission, defaultRetryAfterMs: this.opts.defaultRetryAfterMs };
  }

  private async run<T>(tenantId: string, c: CallContext, fn: (graph: ReturnType<TenantConnections['get']>['graph']) => Promise<T>): Promise<T> {
    try {
      return await fn(this.connections.get(tenantId).graph);
    } catch (e) {
      throw await diagnoseAuthority(toEntraError(e, this.ctx(tenantId, c)), tenantId, this.opts, this.connections.authorityFailures);
    }
  }

  /**
   * Reads are idempotent: a TRANSIENT failure (5xx or reset without Retry-After) is retried here a couple of times
   * after a short jittered pause, so one blip does not restart a whole run step (a step may make dozens of reads).
   * Anything with Retry-After, and every write, goes back to the job layer, which waits exactly what was asked.
   */
  private async read<T>(tenantId: string, c: CallContext, fn: (graph: ReturnType<TenantConnections['get']>['graph']) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.run(tenantId, c, fn);
      } catch (e) {
        if (!(e instanceof EntraError) || e.code !== 'TRANSIENT' || e.retryAfterMs !== undefined || attempt > READ_RETRIES) throw e;
        await sleep(150 * attempt + Math.random() * 250);
      }
    }
  }

  private parse<S extends z.ZodType>(tenantId: string, c: CallContext, schema: S, body: unknown): z.output<S> {
    const r = schema.safeParse(body);
    if (!r.success) {
      const issues = r.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
      throw entraError('PERMANENT', `${c.operation}: unexpected Graph response: ${issues}`, { tenantId, operation: c.operation });
    }
    return r.data as z.output<S>;
  }

  async list<S extends z.ZodType>(tenantId: string, path: string, schema: S, c: CallContext): Promise<Array<z.output<S>>> {
    const out: Array<z.output<S>> = [];
    let next: string | undefined = path;
    while (next) {
      const url: string = next;
      const body: unknown = await this.read(tenantId, c, (g) => g.api(url).get() as Promise<unknown>);
      const page = this.parse(tenantId, c, pageSchema, body);
      for (const item of page.value) out.push(this.parse(tenantId, c, schema, item));
      next = page['@odata.nextLink'];
    }
    return out;
  }

  /** Like `list`, one parsed page at a time, so a long listing (directory audits) never sits in memory whole. */
  async *pages<S extends z.ZodType>(tenantId: string, path: string, schema: S, c: CallContext): AsyncGenerator<Array<z.output<S>>> {
    let next: string | undefined = path;
    while (next) {
      const url: string = next;
      const body: unknown = await this.read(tenantId, c, (g) => g.api(url).get() as Promise<unknown>);
      const page = this.parse(tenantId, c, pageSchema, body);
      yield page.value.map((item) => this.parse(tenantId, c, schema, item));
      next = page['@odata.nextLink'];
    }
  }

  async get<S extends z.ZodType>(tenantId: string, path: string, schema: S, c: CallContext): Promise<z.output<S>> {
    const body: unknown = await this.read(tenantId, c, (g) => g.api(path).get() as Promise<unknown>);
    return this.parse(tenantId, c, schema, body);
  }

  async post<S extends z.ZodType>(tenantId: string, path: string, payload: object, schema: S, c: CallContext): Promise<z.output<S>> {
    const body: unknown = await this.run(tenantId, c, (g) => g.api(path).post(payload) as Promise<unknown>);
    return this.parse(tenantId, c, schema, body);
  }

  async patch(tenantId: string, path: string, payload: object, c: CallContext): Promise<void> {
    await this.run(tenantId, c, (g) => g.api(path).patch(payload) as Promise<unknown>);
  }

  async delete(tenantId: string, path: string, c: CallContext): Promise<void> {
    await this.run(tenantId, c, (g) => g.api(path).delete() as Promise<unknown>);
  }

  /**
   * Re-reads until `read` finds the object (contract §5: a duplicate answer or a replication-lag 404 means
   * "re-read before re-writing"). Gives up as TRANSIENT so the job layer retries the step later.
   */
  async reread<T>(tenantId: string, what: string, read: () => Promise<T | undefined>): Promise<T> {
    const { attempts, initialDelayMs } = this.opts.replication ?? { attempts: 5, initialDelayMs: 1000 };
    for (let i = 0; i < attempts; i++) {
      const found = await read();
      if (found !== undefined) return found;
      await sleep(initialDelayMs * 2 ** i);
    }
    throw entraError('TRANSIENT', `${what} in tenant ${tenantId} is not visible yet (directory replication).`, { tenantId, operation: what });
  }
}

export const isStatus = (e: unknown, status: number): e is EntraError => e instanceof EntraError && e.info.status === status;
export const vendorSays = (e: unknown, text: string): boolean => e instanceof EntraError && e.message.includes(text);

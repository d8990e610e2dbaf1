import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import { Agent, request } from 'undici';

/**
 * The last middleware of the Graph client: sends the request with undici's `request` over one keep-alive
 * connection pool shared by every tenant's client, and hands the Graph client the response with its body buffered.
 * The stock HTTPMessageHandler calls the global `fetch`, whose WHATWG streams, abort signals and per-request
 * objects cost several times the CPU of the request itself (issue 9: the worker was CPU-bound in bulk onboarding).
 * Network failures are rethrown the way `fetch` reports them (TypeError "fetch failed" with the cause), so error
 * classification (entra-error.mapper) sees what it always saw.
 */
export class UndiciGraphHandler implements Middleware {
  constructor(private readonly agent: Agent) {}

  async execute(context: Context): Promise<void> {
    // The Graph client passes a URL string and RequestInit options; a Request object is accepted too.
    const req = context.request as string | Request;
    const init = context.options ?? {};
    const url = typeof req === 'string' ? req : req.url;
    const method = (init.method ?? (typeof req === 'string' ? 'GET' : req.method)).toUpperCase();
    const headers: Record<string, string> = {};
    if (typeof req !== 'string') req.headers.forEach((v: string, k: string) => (headers[k] = v));
    new Headers(init.headers as ConstructorParameters<typeof Headers>[0]).forEach((v: string, k: string) => (headers[k] = v));
    const body = init.body ?? undefined;
    if (body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array)) {
      throw new TypeError('UndiciGraphHandler: only string or byte bodies are sent (the Graph client serializes JSON)');
    }
    let res: Awaited<ReturnType<typeof request>>;
    let payload: ArrayBuffer;
    try {
      res = await request(url, { method: method as 'GET', headers, body, dispatcher: this.agent });
      payload = await res.body.arrayBuffer();
    } catch (err) {
      throw new TypeError('fetch failed', { cause: err });
    }
    const out = new Headers();
    for (const [k, v] of Object.entries(res.headers)) {
      if (Array.isArray(v)) for (const x of v) out.append(k, x);
      else if (v !== undefined) out.set(k, v);
    }
    const empty = res.statusCode === 204 || res.statusCode === 205 || res.statusCode === 304 || method === 'HEAD';
    context.response = new BufferedResponse(res.statusCode, out, empty ? null : Buffer.from(payload), url) as unknown as Response;
  }
}

/**
 * The response handed to the Graph client: the body is already in memory, so it is served from the buffer. What the
 * client reads of a response (GraphResponseHandler, RedirectHandler, GraphErrorHandler) is status, ok, headers and
 * the body as JSON, text, ArrayBuffer or Blob; a WHATWG `Response` built around the buffer set up a stream per
 * request for that (0.3 ms of worker CPU per onboarded tenant). `body` still gives a stream, made on demand.
 */
export class BufferedResponse {
  readonly ok: boolean;
  readonly statusText = '';
  readonly redirected = false;
  readonly type = 'basic';

  constructor(
    readonly status: number,
    readonly headers: Headers,
    private readonly payload: Buffer | null,
    readonly url: string,
  ) {
    this.ok = status >= 200 && status < 300;
  }

  get body(): ReadableStream<Uint8Array> | null {
    return this.payload ? new Response(this.payload).body : null;
  }

  async text(): Promise<string> {
    return this.payload ? this.payload.toString('utf8') : '';
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const p = this.payload ?? Buffer.alloc(0);
    return p.buffer.slice(p.byteOffset, p.byteOffset + p.byteLength) as ArrayBuffer;
  }

  async blob(): Promise<Blob> {
    return new Blob(this.payload ? [this.payload] : []);
  }

  clone(): BufferedResponse {
    return new BufferedResponse(this.status, new Headers(this.headers), this.payload, this.url);
  }
}

/** One pool for every tenant's Graph client (connections kept alive between a tenant's calls and across tenants). */
export const graphAgent = (): Agent => new Agent({ keepAliveTimeout: 30_000 });

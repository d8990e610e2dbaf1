import { readFileSync } from 'node:fs';
import { backoffWithJitter, sleep } from '@app/common';
import { Agent, request } from 'undici';
import { ConcurrencyCap } from './concurrency-cap';
import { Vb365Error, errorFromNetwork, errorFromResponse } from './vb365.errors';

export interface HttpCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  json?: unknown;
  form?: Record<string, string>;
  bearer?: string;
  /** Safe to repeat after a transient failure (GET/PUT/DELETE, token). */
  idempotent: boolean;
  /** Extra time for long polls. */
  extraTimeoutMs?: number;
}

export interface HttpAnswer {
  status: number;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

export interface TransportOptions {
  baseUrl: string;
  caBundlePath?: string;
  caBundle?: string;
  cap: ConcurrencyCap;
  requestTimeoutMs: number;
  maxRetries: number;
  retryBaseMs: number;
}

export const describeCall = (call: Pick<HttpCall, 'method' | 'path'>): string => `VB365 ${call.method} ${call.path}`;

/**
 * One HTTPS connection pool per server. TLS verification stays on: a CA bundle, when configured, replaces the
 * default roots for this server only (VB365 servers commonly present a self-signed certificate).
 */
export class Vb365Transport {
  private readonly agent: Agent;
  private readonly base: string;

  constructor(private readonly opts: TransportOptions) {
    const ca = opts.caBundle ?? (opts.caBundlePath ? readFileSync(opts.caBundlePath, 'utf8') : undefined);
    this.agent = new Agent({ connect: ca ? { ca } : {}, keepAliveTimeout: 30_000 });
    this.base = opts.baseUrl.replace(/\/+$/, '');
  }

  /** Gives back the cap's lingering slots and closes the connection pool. */
  async close(): Promise<void> {
    try {
      await this.opts.cap.close?.();
    } finally {
      await this.agent.close();
    }
  }

  /** Sends with the cap held; retries TRANSIENT failures of idempotent calls. Non-2xx answers are returned. */
  async send(call: HttpCall): Promise<HttpAnswer> {
    for (let attempt = 1; ; attempt++) {
      try {
        const answer = await this.once(call);
        if (answer.status >= 500 && answer.status !== 501 && call.idempotent && attempt <= this.opts.maxRetries) {
          await sleep(backoffWithJitter(attempt, this.opts.retryBaseMs, 10_000));
          continue;
        }
        return answer;
      } catch (err) {
        const e = err instanceof Vb365Error ? err : errorFromNetwork(err, describeCall(call));
        if (e.code !== 'TRANSIENT' || !call.idempotent || attempt > this.opts.maxRetries) throw e;
        await sleep(backoffWithJitter(attempt, this.opts.retryBaseMs, 10_000));
      }
    }
  }

  /** Like send, but non-2xx answers become Vb365Errors. */
  async expectOk(call: HttpCall): Promise<HttpAnswer> {
    const answer = await this.send(call);
    if (answer.status >= 200 && answer.status < 300) return answer;
    const retryAfter = answer.headers['retry-after'];
    throw errorFromResponse(answer.status, answer.body, Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, describeCall(call));
  }

  private async once(call: HttpCall): Promise<HttpAnswer> {
    const qs = Object.entries(call.query ?? {})
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
      .join('&');
    const url = `${this.base}${call.path}${qs ? `?${qs}` : ''}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    let body: string | undefined;
    if (call.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(call.json);
    } else if (call.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(call.form).toString();
    }
    if (call.bearer) headers.authorization = `Bearer ${call.bearer}`;
    const release = await this.opts.cap.acquire();
    try {
      const timeout = this.opts.requestTimeoutMs + (call.extraTimeoutMs ?? 0);
      const res = await request(url, { method: call.method, headers, body, dispatcher: this.agent, headersTimeout: timeout, bodyTimeout: timeout });
      const text = await res.body.text();
      let parsed: unknown = undefined;
      if (text) {
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = text;
        }
      }
      return { status: res.statusCode, body: parsed, headers: res.headers };
    } finally {
      await release();
    }
  }
}

import { z } from 'zod/v4';
import { Vb365Auth } from './vb365-auth';
import { HttpAnswer, HttpCall, Vb365Transport } from './vb365-transport';
import { errorFromResponse } from './vb365.errors';
import { parsePage } from './vb365.parse';
import { Page } from './vb365.types';

export type Query = Record<string, string | number | boolean | undefined>;

/** Authenticated calls and paging, shared by the operation services. */
export class Vb365Api {
  constructor(
    readonly transport: Vb365Transport,
    readonly auth: Vb365Auth,
    readonly pageSize: number,
  ) {}

  /** Sends with the shared token; on 401 invalidates it and retries once with a fresh login. */
  async call(call: Omit<HttpCall, 'bearer' | 'idempotent'> & { idempotent?: boolean }): Promise<unknown> {
    const full: HttpCall = { ...call, idempotent: call.idempotent ?? call.method !== 'POST' };
    const token = await this.auth.accessToken();
    const first = await this.transport.send({ ...full, bearer: token });
    if (first.status !== 401) return this.finish(full, first).body;
    this.auth.invalidate(token);
    const retry = await this.transport.send({ ...full, bearer: await this.auth.accessToken() });
    return this.finish(full, retry).body;
  }

  private finish(call: HttpCall, answer: HttpAnswer): HttpAnswer {
    if (answer.status >= 200 && answer.status < 300) return answer;
    const ra = answer.headers['retry-after'];
    throw errorFromResponse(answer.status, answer.body, Array.isArray(ra) ? ra[0] : ra, `VB365 ${call.method} ${call.path}`);
  }

  /**
   * Iterates a paged collection: offset/limit, following until `_links.next` is absent or a short page arrives
   * (there is no total count: vb365.md "Paging"). A `setId` returned by the server is passed back on later
   * pages so the listing stays stable.
   */
  async *paginate<T>(path: string, item: z.ZodType<T, unknown>, query: Query = {}, what = path): AsyncGenerator<T> {
    const limit = this.pageSize;
    let offset = 0;
    let setId: string | null = null;
    for (;;) {
      const body = await this.call({ method: 'GET', path, query: { ...query, offset, limit, setId: setId ?? undefined } });
      const page: Page<T> = parsePage(item, body, what);
      for (const r of page.results) yield r;
      setId = page.setId ?? setId;
      const more = page.links.next !== undefined || (page.results.length >= limit && Object.keys(page.links).length === 0);
      if (!more || page.results.length === 0) return;
      offset += page.results.length;
    }
  }
}

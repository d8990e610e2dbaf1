import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import { ApiError } from '@app/platform';

/** Deeper than any body of this API (the deepest, declared roles, is ~4 levels). */
export const MAX_BODY_DEPTH = 32;

/** Nesting depth of a parsed JSON value, iteratively (a recursive walk is what a hostile body would overflow). */
export function jsonDepth(value: unknown, limit: number): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    max = Math.max(max, d);
    if (max > limit) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)) stack.push([child, d + 1]);
  }
  return max;
}

/** First string (value or key) containing a NUL character, as a dotted path; undefined when there is none. */
export function findNul(value: unknown, path: string): string | undefined {
  const stack: [unknown, string][] = [[value, path]];
  while (stack.length) {
    const [v, p] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return p;
    } else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
        if (k.includes('\u0000')) return p;
        stack.push([child, `${p}.${k}`]);
      }
    }
  }
  return undefined;
}

/**
 * Input shapes that would otherwise turn into 500s, refused with a 400 before validation and handlers:
 * - absurdly nested JSON bodies: class-transformer walks bodies recursively, and a few thousand nested brackets
 *   (well under the size limit) overflow the stack;
 * - NUL characters anywhere (path, query, body): PostgreSQL text cannot store U+0000 and rejects the query.
 */
@Injectable()
export class BodyShapeInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = ctx.switchToHttp().getRequest<{ body?: unknown; params?: unknown; query?: unknown }>();
    if (req.body !== undefined && jsonDepth(req.body, MAX_BODY_DEPTH) > MAX_BODY_DEPTH)
      throw ApiError.validation([{ field: 'body', message: `nested more than ${MAX_BODY_DEPTH} levels deep` }]);
    for (const [where, value] of [['path', req.params], ['query', req.query], ['body', req.body]] as const) {
      const at = findNul(value, where);
      if (at) throw ApiError.validation([{ field: at.slice(0, 200), message: 'must not contain NUL (U+0000) characters' }]);
    }
    return next.handle();
  }
}

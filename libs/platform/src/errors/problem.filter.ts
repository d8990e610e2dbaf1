import { randomUUID } from 'node:crypto';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { CodedError } from '@app/common';
import { ApiError, PROBLEM_STATUS, PROBLEM_TITLES, ProblemCode } from './api-errors';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  errors?: { field: string; message: string }[];
  errorId?: string;
  hint?: string;
  [key: string]: unknown;
}

interface ReplyLike {
  status(code: number): ReplyLike;
  header(name: string, value: string): ReplyLike;
  send(body: unknown): unknown;
}

interface RequestLike {
  url?: string;
  id?: string;
}

const STATUS_CODES: Record<number, ProblemCode> = Object.fromEntries(
  Object.entries(PROBLEM_STATUS).map(([code, status]) => [status, code as ProblemCode]),
);

export const problemType = (code: string): string =>
  `urn:vb365-orchestrator:problem:${code.toLowerCase().replace(/_/g, '-')}`;

/**
 * Turns every error into RFC 9457 problem+json. Known codes keep their message; anything unknown becomes a 500
 * with an error id that is logged with the full error, and the client never sees a stack trace.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const reply = ctx.getResponse<ReplyLike>();
    const req = ctx.getRequest<RequestLike>();
    const body = this.toProblem(exception, req);
    reply.status(body.status).header('content-type', 'application/problem+json').send(body);
  }

  toProblem(exception: unknown, req: RequestLike = {}): ProblemBody {
    const instance = req.url?.split('?')[0];
    const correlationId = req.id;
    if (exception instanceof ApiError) {
      const { hint, errors, ...extra } = exception.extra;
      return this.body(exception.code, exception.status, exception.message, { instance, errors, hint, ...extra });
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = STATUS_CODES[status] ?? (status >= 500 ? 'INTERNAL' : 'BAD_REQUEST');
      const detail = status === 404 ? `No route ${instance ?? ''}` : exception.message;
      return this.body(code, status, detail, { instance });
    }
    const fastify = fastifyError(exception);
    if (fastify) return this.body(fastify.code, PROBLEM_STATUS[fastify.code], fastify.message, { instance });
    if (exception instanceof CodedError && exception.code in PROBLEM_STATUS) {
      const code = exception.code as ProblemCode;
      return this.body(code, PROBLEM_STATUS[code], exception.message, { instance, hint: exception.hint });
    }
    const errorId = randomUUID();
    this.logger.error({ err: exception, errorId, correlationId }, `Unhandled error ${errorId}`);
    return this.body('INTERNAL', 500, `Unexpected error. Quote error id ${errorId} when reporting it.`, {
      instance,
      errorId,
    });
  }

  private body(code: ProblemCode, status: number, detail: string, extra: Record<string, unknown>): ProblemBody {
    const clean = Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== undefined));
    return { type: problemType(code), title: PROBLEM_TITLES[code], status, detail, code, ...clean };
  }
}

/** Fastify's own errors (body parsing, size limits, media types) carry statusCode and an FST_ code. */
function fastifyError(e: unknown): { code: ProblemCode; message: string } | undefined {
  if (!(e instanceof Error) || !('statusCode' in e) || typeof e.statusCode !== 'number') return undefined;
  const status = e.statusCode;
  if (status === 413) return { code: 'PAYLOAD_TOO_LARGE', message: e.message };
  if (status === 415) return { code: 'UNSUPPORTED_MEDIA_TYPE', message: e.message };
  if (status === 400) return { code: 'BAD_REQUEST', message: e.message };
  return undefined;
}

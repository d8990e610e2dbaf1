import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import { requestContext } from '@app/db';
import { AuthenticatedRequest } from '../auth/auth.decorators';

/**
 * Runs each handler inside the request context (client IP, API key id, correlation id) that completes every
 * activity_log row the handler writes (libs/db request-context.ts). An interceptor rather than a Fastify onRequest
 * hook: a hook's async context does not survive Fastify's body parsing, and the key is only known after the guard.
 */
@Injectable()
export class RequestContextInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (ctx.getType() !== 'http') return next.handle();
    const req = ctx.switchToHttp().getRequest<AuthenticatedRequest & { ip?: string }>();
    const store = { clientIp: req.ip, correlationId: req.id, apiKeyId: req.principal?.keyId };
    // next.handle() is lazy: subscribing inside run() starts the handler, and its async continuations, in the store.
    return new Observable((subscriber) => requestContext.run(store, () => next.handle().subscribe(subscriber)));
  }
}

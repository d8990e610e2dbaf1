import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiScope } from '@app/security';
import { Principal } from './api-key.service';

export const PUBLIC_ROUTE = 'auth:public';
export const REQUIRED_SCOPE = 'auth:scope';

/** Open without an API key: only /health, /metrics and /docs (and later routes authenticated by signature). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_ROUTE, true);

export const RequireScope = (scope: ApiScope): MethodDecorator & ClassDecorator => SetMetadata(REQUIRED_SCOPE, scope);

export interface AuthenticatedRequest {
  principal?: Principal;
  /** Fastify's request id: the correlation id (see correlationIdFor). */
  id: string;
  headers: Record<string, string | string[] | undefined>;
}

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a public route');
  return principal;
});

/** The request's correlation id (X-Request-Id), carried into job data and worker logs. */
export const CorrelationId = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): string => ctx.switchToHttp().getRequest<AuthenticatedRequest>().id,
);

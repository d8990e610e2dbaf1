import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiError } from '@app/platform';
import { ApiScope, hasScope } from '@app/security';
import { ApiKeyService, presentedKey } from './api-key.service';
import { AuthenticatedRequest, PUBLIC_ROUTE, REQUIRED_SCOPE } from './auth.decorators';

/** Global guard: every route needs a valid API key unless marked @Public(); scopes checked per route. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    const auth = req.headers['authorization'];
    const principal = await this.keys.authenticate(presentedKey(typeof auth === 'string' ? auth : undefined));
    if (!principal) {
      throw new ApiError('UNAUTHENTICATED', 'Missing or invalid API key. Send it as "Authorization: Bearer <key>".');
    }
    req.principal = principal;
    const needed = this.reflector.getAllAndOverride<ApiScope | undefined>(REQUIRED_SCOPE, targets);
    if (needed && !hasScope(principal.scopes, needed)) {
      throw new ApiError('FORBIDDEN', `This API key lacks the "${needed}" scope.`, { requiredScope: needed });
    }
    return true;
  }
}

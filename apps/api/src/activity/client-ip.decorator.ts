import { createParamDecorator, ExecutionContext } from '@nestjs/common';

/** The caller's IP as Fastify sees it (honours trustProxy when configured), recorded in activity_log.client_ip. */
export const ClientIp = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): string | undefined => ctx.switchToHttp().getRequest<{ ip?: string }>().ip,
);

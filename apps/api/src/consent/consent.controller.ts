import { Controller, Get, Logger, Param, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TenantRepository } from '@app/db';
import { ConsentCallbackParams, ConsentCallbackResult, ConsentService } from '@app/onboarding';
import { ApiError } from '@app/platform';
import { Principal } from '../auth/api-key.service';
import { CorrelationId, CurrentPrincipal, Public, RequireScope } from '../auth/auth.decorators';
import { ApiErrors } from '../openapi/api-errors.decorator';
import { uuidParam } from '../openapi/uuid-param.pipe';
import { CONSENT_PAGE_HEADERS, renderConsentPage } from './consent-page';
import { ConsentLinkDto } from './consent.dto';

const CALLBACK_PARAMS = ['state', 'admin_consent', 'tenant', 'error', 'error_description'] as const;

/** Only the parameters Entra defines, and only single string values (a repeated parameter counts as absent). */
function callbackParams(query: unknown): ConsentCallbackParams {
  const q = (query ?? {}) as Record<string, unknown>;
  const out: ConsentCallbackParams = {};
  for (const k of CALLBACK_PARAMS) if (typeof q[k] === 'string') out[k] = q[k];
  return out;
}

@ApiTags('consent')
@Controller('v1')
export class ConsentController {
  private readonly logger = new Logger(ConsentController.name);

  constructor(
    private readonly tenants: TenantRepository,
    private readonly consent: ConsentService,
  ) {}

  @Get('tenants/:id/consent-link')
  @ApiBearerAuth()
  @RequireScope('tenants:write')
  @ApiOperation({
    summary: 'Admin-consent link for the orchestrator app, with a signed, expiring, single-use state.',
    description:
      'Every call issues a new link; earlier unused links stay valid until they expire. 503 when no consent.state-key is stored (production) or ORCHESTRATOR_APP_ID is not configured.',
  })
  @ApiErrors(200, ConsentLinkDto, [400, 401, 403, 404, 409, 503])
  async link(
    @Param('id', uuidParam('id')) id: string,
    @CurrentPrincipal() p: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<ConsentLinkDto> {
    const tenant = await this.tenants.findById(p.tenantScope, id);
    if (!tenant) throw ApiError.notFound('Tenant', id);
    const link = await this.consent.createLink(tenant, { actor: p.keyName, correlationId });
    return { url: link.url, expiresAt: link.expiresAt.toISOString() };
  }

  /**
   * Where Entra sends the admin's browser after admin consent. Authenticated by the signed state, not an API key;
   * answers HTML (a person reads it), so it is left out of the OpenAPI document of the JSON API and documented in
   * docs/tenants-and-consent.md. Never throws to the problem+json filter: every outcome, even an unexpected
   * error, is a small page.
   */
  @Get('consent/callback')
  @Public()
  @ApiExcludeEndpoint()
  async callback(
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @CorrelationId() correlationId: string,
  ): Promise<void> {
    let result: Pick<ConsentCallbackResult, 'httpStatus' | 'title' | 'message' | 'tenantDisplayName'>;
    try {
      result = await this.consent.handleCallback(callbackParams(req.query), {
        ip: req.ip,
        userAgent: req.headers['user-agent'],
        correlationId,
      });
    } catch (e) {
      this.logger.error({ err: e, correlationId }, 'consent callback failed');
      result = {
        httpStatus: 500,
        title: 'Something went wrong',
        message: 'Your response could not be recorded. Please try the link again in a few minutes.',
      };
    }
    await reply
      .code(result.httpStatus)
      .headers(CONSENT_PAGE_HEADERS)
      .send(renderConsentPage(result, correlationId));
  }
}

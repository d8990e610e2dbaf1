import { randomUUID } from 'node:crypto';

export interface AadError {
  status: 400 | 401 | 429 | 500 | 503;
  error: string;
  code: number;
  message: string;
}

/**
 * Entra's token-endpoint error body (contract §2): error_description starts with "AADSTSnnnnn: " and ends with
 * the trace, correlation and timestamp lines; error_codes is an array of numbers.
 */
export function aadErrorBody(e: AadError, correlationId: string = randomUUID()): Record<string, unknown> {
  const traceId = randomUUID();
  const timestamp = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  return {
    error: e.error,
    error_description: `AADSTS${e.code}: ${e.message} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [e.code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${e.code}`,
  };
}

export const aad = {
  tenantNotFound: (tenant: string): AadError => ({
    status: 400,
    error: 'invalid_tenant',
    code: 90002,
    message: `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
  }),
  unsupportedGrant: (): AadError => ({ status: 400, error: 'unsupported_grant_type', code: 70003, message: 'The app requested an unsupported grant type.' }),
  invalidScope: (scope: string): AadError => ({
    status: 400,
    error: 'invalid_scope',
    code: 70011,
    message: `The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid.`,
  }),
  appNotInDirectory: (appId: string, tenant: string): AadError => ({
    status: 400,
    error: 'unauthorized_client',
    code: 700016,
    message: `Application with identifier '${appId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
  }),
  missingServicePrincipal: (appId: string): AadError => ({
    status: 401,
    error: 'invalid_client',
    code: 7000229,
    message: `The client application ${appId} is missing service principal in the tenant. See instructions here: https://go.microsoft.com/fwlink/?linkid=2225119`,
  }),
  wrongSecret: (appId: string): AadError => ({
    status: 401,
    error: 'invalid_client',
    code: 7000215,
    message: `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${appId}'.`,
  }),
  noCredential: (): AadError => ({
    status: 401,
    error: 'invalid_client',
    code: 7000218,
    message: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
  }),
  badAssertion: (why: string): AadError => ({ status: 401, error: 'invalid_client', code: 700027, message: `Client assertion failed signature validation. ${why}` }),
  assertionTimeWindow: (): AadError => ({ status: 401, error: 'invalid_client', code: 700024, message: 'Client assertion is not within its valid time range.' }),
  throttled: (): AadError => ({ status: 429, error: 'temporarily_unavailable', code: 50196, message: 'The server is temporarily unable to service your request due to request throttling. Retry after the indicated delay.' }),
  unavailable: (status: 500 | 503): AadError => ({ status, error: 'temporarily_unavailable', code: 90033, message: 'A transient error has occurred. Please try again.' }),
};

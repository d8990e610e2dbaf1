import { FastifyReply } from 'fastify';

export type RestErrorCode =
  | 'ProxyOffline'
  | 'OutdatedChangeToken'
  | 'ResourceAccessDenied'
  | 'ResourceNotFound'
  | 'ParameterValidationFailure'
  | 'OrganizationTransfer'
  | 'RepositoryOwnerChangeTooManyLinks'
  | 'Timeout'
  | 'OperationConflict'
  | 'HttpError';

/** Thrown by route handlers; rendered as RESTExceptionInfo {message, errorCode} (the spec's `default` response). */
export class RestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errorCode: RestErrorCode | null = null,
  ) {
    super(message);
  }
}

export const notFound = (what: string): RestError => new RestError(404, `${what} not found.`, 'ResourceNotFound');
export const invalid = (message: string): RestError => new RestError(400, message, 'ParameterValidationFailure');
export const conflict = (message: string): RestError => new RestError(409, message, 'OperationConflict');

export function sendRestError(reply: FastifyReply, status: number, message: string, errorCode: RestErrorCode | null): FastifyReply {
  // errorCode is nullable but enum-typed in the spec: omit it rather than send null.
  return reply.code(status).type('application/json; charset=utf-8').send(errorCode ? { message, errorCode } : { message });
}

import { CodedError } from '@app/common';

export interface FieldError {
  /** Dotted path of the offending field, e.g. `roles.0.name`, or a query/header name. */
  field: string;
  message: string;
}

/** HTTP status for every error code the API can answer with; one place (STYLE.md 14). */
export const PROBLEM_STATUS = {
  VALIDATION_FAILED: 400,
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ProblemCode = keyof typeof PROBLEM_STATUS;

export const PROBLEM_TITLES: Record<ProblemCode, string> = {
  VALIDATION_FAILED: 'Your request parameters did not validate.',
  BAD_REQUEST: 'The request is malformed.',
  UNAUTHENTICATED: 'A valid API key is required.',
  FORBIDDEN: 'The API key is not allowed to do this.',
  NOT_FOUND: 'The resource does not exist.',
  METHOD_NOT_ALLOWED: 'The method is not allowed on this resource.',
  CONFLICT: 'The request conflicts with the current state.',
  PAYLOAD_TOO_LARGE: 'The request body is too large.',
  UNSUPPORTED_MEDIA_TYPE: 'The request body has an unsupported media type.',
  RATE_LIMITED: 'Too many requests.',
  INTERNAL: 'An unexpected error occurred.',
  UNAVAILABLE: 'The service is temporarily unavailable.',
};

/** An error the API answers as-is: its code decides the HTTP status and the problem type. */
export class ApiError extends CodedError<ProblemCode> {
  constructor(
    code: ProblemCode,
    message: string,
    readonly extra: { errors?: FieldError[]; hint?: string; [key: string]: unknown } = {},
  ) {
    super(code, message, extra.hint);
  }

  get status(): number {
    return PROBLEM_STATUS[this.code];
  }

  static validation(errors: FieldError[]): ApiError {
    const fields = [...new Set(errors.map((e) => e.field))];
    return new ApiError('VALIDATION_FAILED', `Invalid field(s): ${fields.join(', ')}.`, { errors });
  }

  static notFound(what: string, id: string): ApiError {
    return new ApiError('NOT_FOUND', `${what} ${id} does not exist or is not visible to this API key.`);
  }
}

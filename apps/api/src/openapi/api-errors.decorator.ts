import { applyDecorators, Type } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ProblemDto } from './problem.dto';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input: every bad field is listed in `errors[]`.',
  401: 'Missing or invalid API key.',
  403: 'The API key lacks the required scope.',
  404: 'Not found, or outside the API key\'s tenant restriction.',
  409: 'Conflict with the current state.',
  413: 'Body too large.',
  415: 'Unsupported media type.',
  429: 'Rate limited.',
  503: 'Not ready.',
};

/** Documents the success schema and the problem+json error responses of a route. */
export function ApiErrors(successStatus: number, success: Type<unknown> | [Type<unknown>] | null, errors: number[]): MethodDecorator {
  const problem = { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDto) } } };
  return applyDecorators(
    ApiExtraModels(ProblemDto),
    Array.isArray(success)
      ? ApiResponse({ status: successStatus, type: success[0], isArray: true })
      : success
        ? ApiResponse({ status: successStatus, type: success })
        : ApiResponse({ status: successStatus }),
    ...[...errors, 500].map((status) =>
      ApiResponse({ status, description: DESCRIPTIONS[status] ?? 'Unexpected error (with errorId).', content: problem }),
    ),
  );
}

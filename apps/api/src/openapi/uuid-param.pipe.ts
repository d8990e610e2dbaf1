import { ParseUUIDPipe } from '@nestjs/common';
import { ApiError } from '@app/platform';

/** A path parameter that must be a UUID; a bad one is a validation failure naming the parameter. */
export const uuidParam = (name: string): ParseUUIDPipe =>
  new ParseUUIDPipe({ exceptionFactory: () => ApiError.validation([{ field: name, message: 'must be a UUID' }]) });

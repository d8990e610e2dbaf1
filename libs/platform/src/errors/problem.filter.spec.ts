import { Logger, NotFoundException } from '@nestjs/common';
import { CodedError } from '@app/common';
import { ApiError } from './api-errors';
import { ProblemFilter } from './problem.filter';

describe('ProblemFilter', () => {
  beforeAll(() => Logger.overrideLogger(false));
  const filter = new ProblemFilter();

  it('answers validation failures with every field in errors[]', () => {
    const body = filter.toProblem(
      ApiError.validation([
        { field: 'displayName', message: 'must be a string' },
        { field: 'tags.0', message: 'must be shorter than 100 characters' },
      ]),
      { url: '/v1/tenants?x=1' },
    );
    expect(body).toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
      type: 'urn:vb365-orchestrator:problem:validation-failed',
      instance: '/v1/tenants',
    });
    expect(body.errors?.map((e) => e.field)).toEqual(['displayName', 'tags.0']);
  });

  it('maps Nest HTTP exceptions by status', () => {
    expect(filter.toProblem(new NotFoundException(), { url: '/nope' })).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  it('hides unknown errors behind a 500 with an error id and no stack', () => {
    const body = filter.toProblem(new Error('db password=hunter2 exploded'));
    expect(body.status).toBe(500);
    expect(body.errorId).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(body)).not.toContain('hunter2');
    expect(JSON.stringify(body)).not.toContain('at ');
  });

  it('keeps known coded errors from other layers', () => {
    expect(filter.toProblem(new CodedError('CONFLICT', 'run r1 is active'))).toMatchObject({ status: 409, detail: 'run r1 is active' });
  });
});

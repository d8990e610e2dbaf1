import { Prisma } from '../generated/client';
import { requestContext, withRequestContext } from './request-context';

type Row = Prisma.ActivityLogUncheckedCreateInput;

describe('withRequestContext', () => {
  const ctx = { clientIp: '192.0.2.1', correlationId: 'req-1', apiKeyId: '0b6f1f2e-5f43-4a57-9d55-3f3c0f5a3e11' };

  it('fills client IP, correlation id and details.actorKeyId from the request context', () => {
    expect(withRequestContext({ actor: 'k', action: 'a', details: { x: 1 } }, ctx)).toEqual({
      actor: 'k',
      action: 'a',
      clientIp: '192.0.2.1',
      correlationId: 'req-1',
      details: { x: 1, actorKeyId: ctx.apiKeyId },
    });
    expect(withRequestContext<Row>({ actor: 'k', action: 'a' }, ctx).details).toEqual({ actorKeyId: ctx.apiKeyId });
  });

  it('never overrides what the writer set', () => {
    const data = { actor: 'k', action: 'a', clientIp: '198.51.100.2', correlationId: 'own', details: { actorKeyId: 'other' } };
    expect(withRequestContext(data, ctx)).toEqual(data);
  });

  it('leaves non-object details alone and changes nothing outside a request', () => {
    expect(withRequestContext({ actor: 'k', action: 'a', details: [1, 2] }, ctx).details).toEqual([1, 2]);
    const data: Row = { actor: 'worker', action: 'a' };
    expect(withRequestContext(data)).toBe(data);
    expect(requestContext.current()).toBeUndefined();
    expect(requestContext.run(ctx, () => withRequestContext(data).clientIp)).toBe('192.0.2.1');
  });
});

import { CodedError } from '@app/common';
import { classifyStepError, infrastructureOutage } from './step-error';

const withCause = (outer: string, cause: object) => Object.assign(new Error(outer), { cause });

describe('classifyStepError: our own infrastructure failing is transient, not a permanent run failure', () => {
  it.each([
    ['Prisma cannot reach the database', Object.assign(new Error("Can't reach database server"), { code: 'P1001' }), 'DATABASE_UNAVAILABLE'],
    ['Prisma pool timeout', Object.assign(new Error('Timed out fetching a new connection'), { code: 'P2024' }), 'DATABASE_UNAVAILABLE'],
    ['adapter: connection closed (wrapped)', withCause('DriverAdapterError', { kind: 'ConnectionClosed' }), 'DATABASE_UNAVAILABLE'],
    ['pg: admin shutdown (Postgres restarting)', withCause('terminating connection', { code: '57P01' }), 'DATABASE_UNAVAILABLE'],
    ['pg: connection exception class 08', Object.assign(new Error('connection failure'), { code: '08006' }), 'DATABASE_UNAVAILABLE'],
    ['pg: deadlock', Object.assign(new Error('deadlock detected'), { code: '40P01' }), 'DATABASE_UNAVAILABLE'],
    ['socket refused', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'INFRASTRUCTURE_UNAVAILABLE'],
    ['ioredis connection closed', new Error('Connection is closed.'), 'REDIS_UNAVAILABLE'],
    ['pg client whose connection died (audit pool, chaos run)', new Error('Client has encountered a connection error and is not queryable'), 'DATABASE_UNAVAILABLE'],
    ['pg connection terminated', new Error('Connection terminated unexpectedly'), 'DATABASE_UNAVAILABLE'],
  ])('%s', (_label, error, code) => {
    expect(infrastructureOutage(error)).toBe(code);
    expect(classifyStepError(error)).toMatchObject({ kind: 'transient', code });
  });

  it('a plain bug stays a permanent INTERNAL failure', () => {
    expect(classifyStepError(new TypeError("Cannot read properties of undefined (reading 'id')"))).toMatchObject({ kind: 'permanent', code: 'INTERNAL' });
  });

  it('a unique violation (P2002) is not an outage', () => {
    expect(classifyStepError(Object.assign(new Error('Unique constraint failed'), { code: 'P2002' }))).toMatchObject({ kind: 'permanent' });
  });

  it('a coded domain error keeps its own code', () => {
    expect(classifyStepError(new CodedError('ORG_X', 'msg', 'hint'))).toMatchObject({ kind: 'permanent', code: 'ORG_X' });
  });
});

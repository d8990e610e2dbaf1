import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@app/config';
import { deleteQueueKeys, TestDatabase, testQueuePrefix } from '@app/testing';
import { startInProcessApi } from '../test-support/in-process-api';

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  security?: unknown[];
  requestBody?: unknown;
}

/** Every /v1 route is documented with its success schema, its problem+json errors and its auth. */
describe('OpenAPI document', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  const prefix = testQueuePrefix();
  let doc: { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };

  beforeAll(async () => {
    ({ app, db } = await startInProcessApi({ QUEUE_PREFIX: prefix }));
    doc = (await app.inject({ method: 'GET', url: '/docs-json' })).json();
  });

  afterAll(async () => {
    await app?.close();
    await deleteQueueKeys(loadConfig().redis.url, prefix);
    await db?.drop();
  });

  it('documents success, 401, 403 and 500 problem responses and bearer auth on every /v1 operation', () => {
    const ops = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/v1/'))
      .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ id: `${method.toUpperCase()} ${path}`, op })));
    expect(ops.length).toBeGreaterThan(0);
    for (const { id, op } of ops) {
      const codes = Object.keys(op.responses);
      const success = codes.find((c) => c.startsWith('2'));
      expect({ id, success: Boolean(success) }).toEqual({ id, success: true });
      const content = op.responses[success!]!.content ?? {};
      expect({ id, schema: Object.values(content).some((c) => Boolean(c.schema)) }).toEqual({ id, schema: true });
      for (const code of ['401', '403', '500']) {
        expect({ id, code, problem: Boolean(op.responses[code]?.content?.['application/problem+json']) }).toEqual({ id, code, problem: true });
      }
      expect({ id, secured: (op.security ?? []).length > 0 }).toEqual({ id, secured: true });
    }
    expect(doc.components.schemas).toHaveProperty('ProblemDto');
  });
});

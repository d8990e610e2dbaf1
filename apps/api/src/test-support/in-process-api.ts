import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@app/config';
import { PrismaService } from '@app/db';
import { createTestDatabase, TestDatabase } from '@app/testing';
import { createApiApp } from '../bootstrap';

/**
 * The api in the test process (Fastify `inject`, no port) on a fresh migrated database. Configuration is read from
 * process.env once per test file (jest isolates modules per file), so `env` is applied before the app is built.
 * The caller drops `db` and closes `app` in afterAll.
 */
export async function startInProcessApi(
  env: Record<string, string>,
): Promise<{ app: NestFastifyApplication; db: TestDatabase; prisma: PrismaService }> {
  const db = await createTestDatabase();
  Object.assign(process.env, { DATABASE_URL: db.url, LOG_LEVEL: 'silent', ...env });
  const app = await createApiApp(loadConfig());
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return { app, db, prisma: app.get(PrismaService) };
}

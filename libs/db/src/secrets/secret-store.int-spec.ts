import { randomBytes } from 'node:crypto';
import { parseConfig } from '@app/config';
import { createTestDatabase, TestDatabase } from '@app/testing';
import { PrismaService } from '../prisma.service';
import { SecretStore } from './secret-store';

/** Secrets at rest against a real Postgres: stored encrypted, master key rotation by re-wrapping data keys. */
describe('SecretStore', () => {
  let db: TestDatabase;
  const k1 = randomBytes(32).toString('base64');
  const k2 = randomBytes(32).toString('base64');
  const store = (env: Record<string, string>) => {
    const config = parseConfig({ DATABASE_URL: db.url, ...env });
    const prisma = new PrismaService(config);
    return { prisma, secrets: new SecretStore(prisma, config) };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('stores ciphertext only, and re-wraps every data key after a rotation (idempotent)', async () => {
    const before = store({ SECRET_ENCRYPTION_KEY: k1, SECRET_ENCRYPTION_KEY_ID: 'k1' });
    const values = ['whsec_first-secret-value', 'vb365-password-💾', 'x'.repeat(5000)];
    const ids: string[] = [];
    for (const v of values) ids.push(await before.secrets.put(before.prisma, 'test', v));
    const rows = await before.prisma.secret.findMany();
    expect(rows.every((r) => r.keyId === 'k1')).toBe(true);
    const dump = JSON.stringify(await before.prisma.$queryRawUnsafe('SELECT encode(wrapped_key, \'escape\') w, encode(ciphertext, \'escape\') c FROM secrets'));
    expect(dump).not.toContain('first-secret');
    await before.prisma.$disconnect();

    // Rotation: new current key k2, old key k1 still readable.
    const after = store({ SECRET_ENCRYPTION_KEY: k2, SECRET_ENCRYPTION_KEY_ID: 'k2', SECRET_ENCRYPTION_PREVIOUS_KEYS: `k1:${k1}` });
    const ciphertexts = (await after.prisma.secret.findMany({ orderBy: { id: 'asc' } })).map((r) => Buffer.from(r.ciphertext).toString('hex'));
    expect(await after.secrets.rewrapAll()).toEqual({ rewrapped: 3, alreadyCurrent: 0 });
    expect(await after.secrets.rewrapAll()).toEqual({ rewrapped: 0, alreadyCurrent: 3 });
    const rewrapped = await after.prisma.secret.findMany({ orderBy: { id: 'asc' } });
    expect(rewrapped.every((r) => r.keyId === 'k2' && r.rewrappedAt)).toBe(true);
    expect(rewrapped.map((r) => Buffer.from(r.ciphertext).toString('hex'))).toEqual(ciphertexts);
    await after.prisma.$disconnect();

    // The old key can now be dropped from configuration.
    const only = store({ SECRET_ENCRYPTION_KEY: k2, SECRET_ENCRYPTION_KEY_ID: 'k2' });
    expect(await Promise.all(ids.map((id) => only.secrets.get(id)))).toEqual(values);
    await only.prisma.$disconnect();

    // Without the right key nothing is readable, and the error carries no secret material.
    const wrong = store({ SECRET_ENCRYPTION_KEY: k1, SECRET_ENCRYPTION_KEY_ID: 'k2' });
    await expect(wrong.secrets.get(ids[0]!)).rejects.toThrow(/could not be decrypted/);
    await wrong.prisma.$disconnect();
  });

  it('refuses to store or read secrets in production without a master key', async () => {
    const prod = store({ NODE_ENV: 'production' });
    await expect(prod.secrets.put(prod.prisma, 'test', 'x')).rejects.toThrow(/SECRET_ENCRYPTION_KEY is not configured/);
    await prod.prisma.$disconnect();
  });
});

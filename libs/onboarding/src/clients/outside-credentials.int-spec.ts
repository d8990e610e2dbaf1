import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AppConfig, parseConfig } from '@app/config';
import { CredentialStore, PrismaService, SecretStore } from '@app/db';
import {
  createTestDatabase,
  privateKeyPieces,
  registerSeededSecret,
  RunningSimulator,
  startSimulator,
  TEST_ORCHESTRATOR_PEM_PATH,
  TEST_VB365_PASSWORD,
  TEST_VB365_USERNAME,
  TestDatabase,
} from '@app/testing';
import { OutsideClients } from './clients.module';

/**
 * The outside credentials live in the encrypted `secrets` table: imported from the environment at start, then
 * read from the store only — by a process without them in its environment, after a rotation, and after the
 * master key is rotated and every data key re-wrapped. The VB365 calls go to vb365-sim over HTTPS.
 */
describe('outside credentials in the secret store', () => {
  let db: TestDatabase;
  let sim: RunningSimulator;
  const k1 = randomBytes(32).toString('base64');
  const k2 = randomBytes(32).toString('base64');
  const open: { clients: OutsideClients; prisma: PrismaService }[] = [];
  registerSeededSecret('master key', k1);
  registerSeededSecret('master key', k2);

  const boot = async (env: Record<string, string>): Promise<{ clients: OutsideClients; prisma: PrismaService; config: AppConfig }> => {
    const config = parseConfig({ DATABASE_URL: db.url, VB365_BASE_URL: sim.urls['api']!, ORCHESTRATOR_APP_ID: '11111111-2222-4333-8444-555555555555', LOG_LEVEL: 'silent', ...env });
    const prisma = new PrismaService(config);
    const clients = await OutsideClients.create(config, prisma);
    open.push({ clients, prisma });
    return { clients, prisma, config };
  };
  const fromEnv = { VB365_USERNAME: TEST_VB365_USERNAME, VB365_PASSWORD: TEST_VB365_PASSWORD, ORCHESTRATOR_CERT_PATH: TEST_ORCHESTRATOR_PEM_PATH };

  beforeAll(async () => {
    db = await createTestDatabase();
    sim = await startSimulator('vb365-sim', { VB365_SIM_USERNAME: TEST_VB365_USERNAME, VB365_SIM_PASSWORD: TEST_VB365_PASSWORD });
  });
  afterAll(async () => {
    for (const o of open) {
      await o.clients.onApplicationShutdown();
      await o.prisma.$disconnect();
    }
    await sim?.stop();
    await db?.drop();
  });

  it('imports the environment credentials encrypted (key id recorded), then works from the store alone', async () => {
    const first = await boot({ ...fromEnv, SECRET_ENCRYPTION_KEY: k1, SECRET_ENCRYPTION_KEY_ID: 'k1' });
    const rows = await first.prisma.secret.findMany({ where: { purpose: { startsWith: 'credential:' } }, orderBy: { purpose: 'asc' } });
    expect(rows.map((r) => [r.purpose, r.keyId])).toEqual([
      ['credential:orchestrator.certificate', 'k1'],
      ['credential:vb365.password', 'k1'],
      ['credential:vb365.username', 'k1'],
    ]);
    const stored = Buffer.concat(rows.flatMap((r) => [Buffer.from(r.ciphertext), Buffer.from(r.wrappedKey)])).toString('latin1');
    expect(stored).not.toContain(TEST_VB365_PASSWORD);
    expect(stored).not.toContain('restadmin');
    expect(privateKeyPieces(readFileSync(TEST_ORCHESTRATOR_PEM_PATH, 'utf8')).some((p) => stored.includes(p))).toBe(false);
    expect(await first.clients.vb365Client().organizations.serviceInstance()).toBeDefined();

    // A second start with the same environment changes nothing (api and worker both import at start).
    const versions = rows.map((r) => r.id);
    await boot({ ...fromEnv, SECRET_ENCRYPTION_KEY: k1, SECRET_ENCRYPTION_KEY_ID: 'k1' });
    expect((await first.prisma.secret.findMany({ where: { purpose: { startsWith: 'credential:' } }, orderBy: { purpose: 'asc' } })).map((r) => r.id)).toEqual(versions);

    // A process without the credentials in its environment reads them from the store.
    const storeOnly = await boot({ SECRET_ENCRYPTION_KEY: k1, SECRET_ENCRYPTION_KEY_ID: 'k1' });
    expect(storeOnly.config.vb365.password).toBeUndefined();
    expect(await storeOnly.clients.vb365Client().organizations.serviceInstance()).toBeDefined();
    expect(storeOnly.clients.entraClient()).toBeDefined();
  });

  it('picks up a rotated credential on the next client build after a store check', async () => {
    const { clients, prisma, config } = await boot({ SECRET_ENCRYPTION_KEY: k1, SECRET_ENCRYPTION_KEY_ID: 'k1' });
    const store = new CredentialStore(prisma, new SecretStore(prisma, config));
    const before = clients.vb365Client();
    await store.set('vb365.password', 'a-wrong-rotated-Passw0rd');
    // Until the store is checked again the loaded client stays in use.
    expect(clients.vb365Client()).toBe(before);
    await clients.refreshCredentials();
    const wrong = clients.vb365Client();
    expect(wrong).not.toBe(before);
    await expect(wrong.organizations.serviceInstance()).rejects.toMatchObject({ code: expect.stringMatching(/UNAUTHORIZED|CREDENTIAL/) });
    await store.set('vb365.password', TEST_VB365_PASSWORD);
    await clients.refreshCredentials();
    expect(await clients.vb365Client().organizations.serviceInstance()).toBeDefined();
  });

  it('stays readable after the master key is rotated and every data key re-wrapped', async () => {
    const rotating = await boot({ SECRET_ENCRYPTION_KEY: k2, SECRET_ENCRYPTION_KEY_ID: 'k2', SECRET_ENCRYPTION_PREVIOUS_KEYS: `k1:${k1}` });
    const result = await new SecretStore(rotating.prisma, rotating.config).rewrapAll();
    expect(result.rewrapped).toBeGreaterThanOrEqual(3);
    const listing = await new CredentialStore(rotating.prisma, new SecretStore(rotating.prisma, rotating.config)).list();
    expect(listing.filter((l) => l.name.startsWith('vb365.') || l.name.startsWith('orchestrator.')).map((l) => l.keyId)).toEqual(['k2', 'k2', 'k2']);

    const only = await boot({ SECRET_ENCRYPTION_KEY: k2, SECRET_ENCRYPTION_KEY_ID: 'k2' });
    expect(await only.clients.vb365Client().organizations.serviceInstance()).toBeDefined();
    expect(only.clients.entraClient()).toBeDefined();
  });

  it('an imported client secret replaces a stored certificate and vice versa (one orchestrator credential kind)', async () => {
    const clientSecret = `client-secret-${randomBytes(12).toString('hex')}`;
    registerSeededSecret('orchestrator client secret', clientSecret);
    const purposes = async (prisma: PrismaService) =>
      (await prisma.secret.findMany({ where: { purpose: { startsWith: 'credential:orchestrator.' } } })).map((r) => r.purpose);
    const withSecret = await boot({ ORCHESTRATOR_CLIENT_SECRET: clientSecret, SECRET_ENCRYPTION_KEY: k2, SECRET_ENCRYPTION_KEY_ID: 'k2' });
    expect(await purposes(withSecret.prisma)).toEqual(['credential:orchestrator.client-secret']);
    // A cert path that cannot be read imports nothing and removes nothing.
    await boot({ ORCHESTRATOR_CERT_PATH: '/nonexistent/orchestrator.pem', SECRET_ENCRYPTION_KEY: k2, SECRET_ENCRYPTION_KEY_ID: 'k2' });
    expect(await purposes(withSecret.prisma)).toEqual(['credential:orchestrator.client-secret']);
    await boot({ ORCHESTRATOR_CERT_PATH: TEST_ORCHESTRATOR_PEM_PATH, SECRET_ENCRYPTION_KEY: k2, SECRET_ENCRYPTION_KEY_ID: 'k2' });
    expect(await purposes(withSecret.prisma)).toEqual(['credential:orchestrator.certificate']);
  });

  it('answers UNAVAILABLE with a hint naming secrets:set when nothing is stored', async () => {
    const empty = await createTestDatabase();
    try {
      const config = parseConfig({ DATABASE_URL: empty.url, VB365_BASE_URL: sim.urls['api']!, ORCHESTRATOR_APP_ID: '11111111-2222-4333-8444-555555555555' });
      const prisma = new PrismaService(config);
      const clients = await OutsideClients.create(config, prisma);
      expect(() => clients.vb365Client()).toThrow(expect.objectContaining({ code: 'UNAVAILABLE' }));
      expect(() => clients.entraClient()).toThrow(expect.objectContaining({ code: 'UNAVAILABLE' }));
      await prisma.$disconnect();
    } finally {
      await empty.drop();
    }
  });
});

import { parseConfig } from '@app/config';
import { createTestDatabase, registerSeededSecret, TestDatabase } from '@app/testing';
import { PrismaService } from '../prisma.service';
import { CONSENT_STATE_KEY, CredentialStore, inboundWebhookSecretName, isRotatingSecretName } from './credential-store';
import { SecretStore } from './secret-store';

/**
 * Rotating secrets (inbound webhook secrets, the consent-state key) against a real Postgres: the environment import
 * is idempotent, a rotation keeps the replaced value (same row, same version) as `.previous` and drops the one before.
 */
describe('CredentialStore rotating secrets', () => {
  let db: TestDatabase;
  let prisma: PrismaService;
  let store: CredentialStore;
  const psa = inboundWebhookSecretName('psa');
  const [a, b, c] = ['whsec_rotating-secret-aaaaaaaaaa', 'whsec_rotating-secret-bbbbbbbbbb', 'whsec_rotating-secret-cccccccccc'];
  for (const v of [a, b, c]) registerSeededSecret('inbound webhook secret', v);

  beforeAll(async () => {
    db = await createTestDatabase();
    const config = parseConfig({ DATABASE_URL: db.url });
    prisma = new PrismaService(config);
    store = new CredentialStore(prisma, new SecretStore(prisma, config));
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  const values = async (): Promise<(string | undefined)[]> => {
    const v = (await store.rotatingVersions()).get(psa) ?? {};
    return Promise.all([v.current, v.previous].map((id) => (id ? store.valueOf(id) : Promise.resolve(undefined))));
  };

  it('names: consent.state-key and webhook.inbound.<source> only', () => {
    expect([CONSENT_STATE_KEY, psa, 'webhook.inbound.a-1'].every(isRotatingSecretName)).toBe(true);
    expect(['webhook.inbound.', 'webhook.inbound.PSA', 'webhook.inbound.psa.previous', 'vb365.password', 'consent'].some(isRotatingSecretName)).toBe(false);
  });

  it('setActive writes exactly the given values once; the same values again change nothing', async () => {
    expect(await store.setActive(psa, b, a)).toEqual({ changed: true });
    const first = await store.rotatingVersions();
    expect(await values()).toEqual([b, a]);
    expect(await store.setActive(psa, b, a)).toEqual({ changed: false });
    expect(await store.rotatingVersions()).toEqual(first);
    // One value only: the previous one goes.
    expect(await store.setActive(psa, b)).toEqual({ changed: true });
    expect(await values()).toEqual([b, undefined]);
  });

  it('rotate keeps the replaced value as previous (same version) and drops the one before; retirePrevious ends it', async () => {
    await store.setActive(psa, b, a);
    const before = (await store.rotatingVersions()).get(psa)!;
    const rotated = await store.rotate(psa, c);
    expect(rotated.changed).toBe(true);
    const after = (await store.rotatingVersions()).get(psa)!;
    expect(after).toEqual({ current: rotated.version, previous: before.current });
    expect(await values()).toEqual([c, b]);
    expect((await store.rotate(psa, c)).changed).toBe(false);
    expect((await store.list()).filter((r) => r.name.startsWith(psa)).map((r) => r.name).sort()).toEqual([psa, `${psa}.previous`]);

    expect(await store.retirePrevious(psa)).toBe(true);
    expect(await values()).toEqual([c, undefined]);
    expect(await store.retirePrevious(psa)).toBe(false);
    expect(await store.deleteRotating(psa)).toBe(true);
    expect((await store.rotatingVersions()).has(psa)).toBe(false);
  });
});

import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { repoRoot } from '@app/common';
import { parseConfig } from '@app/config';
import { PrismaService } from '@app/db';
import { newConsentNonce, signConsentState } from '@app/onboarding';
import { generateWebhookSecret, signWebhook } from '@app/security';
import {
  AppEnv,
  collectProcessOutput,
  createTestDatabase,
  deleteQueueKeys,
  ReadyProcess,
  registerInboundWebhookSecret,
  registerSeededSecret,
  startApi,
  TestDatabase,
  testQueuePrefix,
} from '@app/testing';

const IMPORT_WARNING = 'imported into the encrypted secret store';
/** ACTIVE_SECRETS_CHECK_INTERVAL_MS (5 s) plus the query and a loaded machine's slack. */
const PICKUP_BOUND_MS = 8_000;

/**
 * Inbound webhook secrets and the consent-state key live encrypted in `secrets`: an api started with them in its
 * environment imports them (warning, names only); an api started WITHOUT them verifies from the store; a rotation
 * made with the real `secrets:set` command is picked up by the running api without a restart — both secrets are
 * accepted, and after `--retire-previous` only the new one.
 */
describe('inbound webhook secrets and consent-state key from the secret store', () => {
  let db: TestDatabase;
  let prisma: PrismaService;
  let api: ReadyProcess<{ url: string }> | undefined;
  const prefix = testQueuePrefix();
  const masterKey = randomBytes(32).toString('base64');
  const [s1, s2, s3] = [generateWebhookSecret(), generateWebhookSecret(), generateWebhookSecret()];
  const consentKey = randomBytes(32).toString('base64');
  const consentKey2 = randomBytes(32).toString('base64');
  registerSeededSecret('master key', masterKey);
  for (const s of [s1, s2, s3]) registerInboundWebhookSecret(s);
  registerSeededSecret('consent state secret', consentKey);
  registerSeededSecret('consent state secret', consentKey2);

  const baseEnv = (): AppEnv => ({
    DATABASE_URL: db.url,
    QUEUE_PREFIX: prefix,
    SECRET_ENCRYPTION_KEY: masterKey,
    SECRET_ENCRYPTION_KEY_ID: 'e2e-in1',
    PUBLIC_BASE_URL: 'https://orchestrator.msp.example',
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    prisma = new PrismaService(parseConfig({ DATABASE_URL: db.url, LOG_LEVEL: 'silent' }));
  });
  afterAll(async () => {
    await api?.stop();
    await prisma?.$disconnect();
    if (db) await deleteQueueKeys(parseConfig({ DATABASE_URL: db.url }).redis.url, prefix);
    await db?.drop();
  });

  async function send(secret: string, source = 'psa'): Promise<number> {
    const body = JSON.stringify({ type: 'tenant.resync', data: { entraTenantId: randomUUID() } });
    const headers = signWebhook(secret, `msg_${randomUUID()}`, Math.floor(Date.now() / 1000), body);
    const res = await fetch(`${api!.info.url}/v1/webhooks/${source}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
    await res.arrayBuffer();
    return res.status;
  }

  /** The consent callback's verdict on a state signed with `key` (for a nonce we never issued). */
  async function consentVerdict(key: string): Promise<'forged' | 'signature ok'> {
    const state = signConsentState(key, { nonce: newConsentNonce(), expiresAt: new Date(Date.now() + 600_000) });
    const res = await fetch(`${api!.info.url}/v1/consent/callback?${new URLSearchParams({ state, admin_consent: 'True', tenant: randomUUID() })}`);
    const html = await res.text();
    // A valid signature reaches the nonce lookup ("incomplete": no such state); a bad one is refused before it.
    return html.includes('This consent link is not valid') ? 'forged' : 'signature ok';
  }

  /** Runs the built `secrets:set` command (as `npm run secrets:set` does) with the value on stdin. */
  function secretsSet(args: string[], stdin?: string): Promise<{ code: number | null; out: string }> {
    const root = repoRoot();
    const child = spawn(process.execPath, ['-r', join(root, 'tools', 'alias-register.cjs'), join(root, 'dist', 'tools', 'secrets-set.js'), ...args], {
      cwd: root,
      env: { ...process.env, ...baseEnv(), LOG_LEVEL: 'warn' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    collectProcessOutput('secrets-set', child);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.stdin.end(stdin ?? '');
    return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out })));
  }

  /** Polls until `check` holds; returns how long it took. */
  async function within(boundMs: number, check: () => Promise<boolean>): Promise<number> {
    const started = Date.now();
    while (!(await check())) {
      if (Date.now() - started > boundMs) throw new Error(`not picked up within ${boundMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
    return Date.now() - started;
  }

  it('imports INBOUND_WEBHOOK_SECRETS and CONSENT_STATE_SECRET encrypted at start, warning with names only', async () => {
    api = await startApi({ ...baseEnv(), INBOUND_WEBHOOK_SECRETS: `psa:${s1},psa:${s2}`, CONSENT_STATE_SECRET: consentKey });
    expect(await send(s2)).toBe(202);
    const warning = api.output().split('\n').find((l) => l.includes(IMPORT_WARNING));
    expect(warning).toContain('INBOUND_WEBHOOK_SECRETS, CONSENT_STATE_SECRET imported');
    for (const plain of [s1, s2, consentKey]) expect(warning).not.toContain(plain);
    await api.stop();
    api = undefined;
    const rows = await prisma.secret.findMany({ orderBy: { purpose: 'asc' } });
    expect(rows.map((r) => [r.purpose, r.keyId])).toEqual([
      ['credential:consent.state-key', 'e2e-in1'],
      ['credential:webhook.inbound.psa', 'e2e-in1'],
      ['credential:webhook.inbound.psa.previous', 'e2e-in1'],
    ]);
    // No plaintext in any column: the secrets as text and the webhook keys' raw bytes.
    const stored = Buffer.concat(rows.flatMap((r) => [r.wrappedKey, r.iv, r.authTag, r.ciphertext].map((b) => Buffer.from(b))));
    for (const plain of [s1, s2, consentKey]) expect(stored.includes(Buffer.from(plain))).toBe(false);
    for (const s of [s1, s2]) expect(stored.includes(Buffer.from(s.replace(/^whsec_/, ''), 'base64'))).toBe(false);
  }, 60_000);

  it('an api started without the variables verifies webhooks and consent states from the store', async () => {
    api = await startApi({ ...baseEnv(), INBOUND_WEBHOOK_SECRETS: '', CONSENT_STATE_SECRET: '' });
    expect(api.output()).not.toContain(IMPORT_WARNING);
    expect([await send(s2), await send(s1), await send(generateWebhookSecret()), await send(s2, 'unknown')]).toEqual([202, 202, 401, 404]);
    expect([await consentVerdict(consentKey), await consentVerdict(randomBytes(32).toString('base64'))]).toEqual(['signature ok', 'forged']);
  }, 60_000);

  it('a rotation with secrets:set accepts the new and the previous secret, then only the new one, without a restart', async () => {
    const set = await secretsSet(['webhook.inbound.psa', '--stdin'], s3);
    expect(set).toMatchObject({ code: 0 });
    expect(set.out).toContain('webhook.inbound.psa.previous');
    const pickup = await within(PICKUP_BOUND_MS, async () => (await send(s3)) === 202);
    // s2 is now the previous secret (still accepted); s1 was the previous one before and is gone.
    expect([await send(s3), await send(s2), await send(s1)]).toEqual([202, 202, 401]);

    expect(await secretsSet(['webhook.inbound.psa', '--retire-previous'])).toMatchObject({ code: 0 });
    const retire = await within(PICKUP_BOUND_MS, async () => (await send(s2)) === 401);
    expect(await send(s3)).toBe(202);

    expect(await secretsSet(['consent.state-key', '--stdin'], consentKey2)).toMatchObject({ code: 0 });
    await within(PICKUP_BOUND_MS, async () => (await consentVerdict(consentKey2)) === 'signature ok');
    expect(await consentVerdict(consentKey)).toBe('signature ok');

    // The api logged neither the rotation's values nor anything it verified with (the whole-run scan checks too).
    for (const s of [s2, s3, consentKey2]) expect(api!.output()).not.toContain(s);
    console.log(`rotation picked up in ${pickup} ms, retirement in ${retire} ms (bound ${PICKUP_BOUND_MS} ms)`);
  }, 90_000);
});

import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@app/common';
import { issueApiKey, PrismaService } from '@app/db';

/**
 * Every secret value tests seed, in one place, so the whole-run log scan (tools/secrets-scan-test-logs.ts, run by
 * `npm test` after jest) knows what must never appear in any output. Fixed values are constants here; values a
 * test generates (webhook secrets, API keys, master keys) are registered with registerSeededSecret.
 */

/** What the stacks configure for the simulated VB365 server (vb365-sim's defaults match). */
export const TEST_VB365_USERNAME = 'VB365\\restadmin';
export const TEST_VB365_PASSWORD = 'dev-only-Passw0rd!';
/** The orchestrator app's PEM (private key + certificate) created by the set-up's local CA. */
export const TEST_ORCHESTRATOR_PEM_PATH = join(repoRoot(), '.local', 'certs', 'orchestrator-client.pem');

/** `npm test` sets it to `.local/test-logs/<run-id>`; outside `npm test` nothing is collected. */
export const TEST_LOG_DIR_VARIABLE = 'TEST_LOG_DIR';
/** The file of registered secrets inside the log directory (read by the scan, never scanned itself). */
export const SEEDED_SECRETS_FILE = 'seeded-secrets.jsonl';

export interface SeededSecret {
  /** What kind of secret it is: a scan finding names this, never the value. */
  kind: string;
  value: string;
}

export function testLogDir(): string | undefined {
  const dir = process.env[TEST_LOG_DIR_VARIABLE];
  if (!dir) return undefined;
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  return dir;
}

const registered = new Set<string>();

/** Records a secret a test generated, for the scan after the run (a no-op outside `npm test`). */
export function registerSeededSecret(kind: string, value: string): void {
  const dir = testLogDir();
  if (!dir || !value || registered.has(`${kind}\n${value}`)) return;
  registered.add(`${kind}\n${value}`);
  appendFileSync(join(dir, SEEDED_SECRETS_FILE), `${JSON.stringify({ kind, value })}\n`);
}

/** The secret-valued variables of an app process's environment (called by every process spawner). */
export function registerSecretsFromEnv(env: Record<string, string | undefined>): void {
  const plain: Record<string, string> = {
    VB365_PASSWORD: 'VB365 password',
    ORCHESTRATOR_CLIENT_SECRET: 'orchestrator client secret',
    SECRET_ENCRYPTION_KEY: 'master key',
    CONSENT_STATE_SECRET: 'consent state secret',
  };
  for (const [variable, kind] of Object.entries(plain)) registerSeededSecret(kind, env[variable] ?? '');
  for (const pair of (env['SECRET_ENCRYPTION_PREVIOUS_KEYS'] ?? '').split(',')) registerSeededSecret('previous master key', pair.split(':')[1] ?? '');
  for (const pair of (env['INBOUND_WEBHOOK_SECRETS'] ?? '').split(',')) registerInboundWebhookSecret(pair.split(':')[1] ?? '');
}

/** An inbound webhook secret (`whsec_…`), with and without its prefix: tests that store one directly call this. */
export function registerInboundWebhookSecret(secret: string): void {
  registerSeededSecret('inbound webhook secret', secret);
  registerSeededSecret('inbound webhook secret (key part)', secret.replace(/^whsec_/, ''));
}

/**
 * The private key's base64 body, as 48-character pieces: any of them in a log means key material leaked, while
 * the certificate (public) is not included.
 */
export function privateKeyPieces(pem: string): string[] {
  const body = /-----BEGIN [A-Z ]*PRIVATE KEY-----([\s\S]*?)-----END/.exec(pem)?.[1]?.replace(/\s+/g, '') ?? '';
  const pieces: string[] = [];
  for (let i = 0; i + 48 <= body.length; i += 48) pieces.push(body.slice(i, i + 48));
  return pieces;
}

/** The fixed secrets plus everything registered during this run. */
export function seededSecrets(logDir = testLogDir()): SeededSecret[] {
  const out: SeededSecret[] = [{ kind: 'VB365 password', value: TEST_VB365_PASSWORD }];
  if (existsSync(TEST_ORCHESTRATOR_PEM_PATH)) {
    for (const value of privateKeyPieces(readFileSync(TEST_ORCHESTRATOR_PEM_PATH, 'utf8'))) out.push({ kind: 'orchestrator private key', value });
  }
  const file = logDir && join(logDir, SEEDED_SECRETS_FILE);
  if (file && existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) if (line.trim()) out.push(JSON.parse(line) as SeededSecret);
  }
  return out;
}

/** issueApiKey for tests: the plaintext key (and its secret part) is registered for the whole-run scan. */
export async function issueTestApiKey(
  prisma: PrismaService,
  input: Parameters<typeof issueApiKey>[1],
): Promise<Awaited<ReturnType<typeof issueApiKey>>> {
  const issued = await issueApiKey(prisma, input);
  registerSeededSecret('API key', issued.key);
  registerSeededSecret('API key (secret part)', issued.key.split('_').slice(2).join('_'));
  return issued;
}

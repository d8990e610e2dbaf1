import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@app/common';
import { scanForSecrets } from './secret-scan';
import { privateKeyPieces, SEEDED_SECRETS_FILE } from './test-secrets';

/** The whole-run secret scan (`npm test` runs it over every output of the run): planted secrets are found. */
describe('secret scan of test output', () => {
  let dir: string;
  const planted = 'planted-S3cret/value+with=chars';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'secret-scan-'));
    writeFileSync(join(dir, SEEDED_SECRETS_FILE), `${JSON.stringify({ kind: 'planted secret', value: planted })}\n`);
    writeFileSync(join(dir, 'clean.log'), '{"level":30,"msg":"run succeeded","password":"[Redacted]"}\n'.repeat(100));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds a secret in any form it leaks in (raw, URL-encoded, JSON-escaped), naming file and kind only', () => {
    writeFileSync(join(dir, 'raw.log'), `line\nAuthorization: ${planted}\n`);
    writeFileSync(join(dir, 'form.log'), `grant_type=password&password=${encodeURIComponent(planted)}\n`);
    writeFileSync(join(dir, 'json.log'), JSON.stringify({ body: `"${planted}"` }));
    const r = scanForSecrets(dir, [{ kind: 'planted secret', value: planted }, { kind: 'too short to search', value: 'line' }]);
    expect(r.files).toBe(4);
    expect(r.findings.sort((a, b) => a.file.localeCompare(b.file))).toEqual([
      { file: 'form.log', kind: 'planted secret' },
      { file: 'json.log', kind: 'planted secret' },
      { file: 'raw.log', kind: 'planted secret' },
    ]);
  });

  it('finds private key material by any 48-character piece of the key body, not by the certificate', () => {
    const pem = `-----BEGIN PRIVATE KEY-----\n${'QUJD'.repeat(40)}\n-----END PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\nCERTBODY\n-----END CERTIFICATE-----\n`;
    const pieces = privateKeyPieces(pem);
    expect(pieces.length).toBe(3);
    writeFileSync(join(dir, 'cert.log'), 'CERTBODY');
    writeFileSync(join(dir, 'key.log'), `...${'QUJD'.repeat(40).slice(50, 150)}...`);
    expect(scanForSecrets(dir, pieces.map((value) => ({ kind: 'private key', value }))).findings).toEqual([{ file: 'key.log', kind: 'private key' }]);
  });

  it('the command `npm test` runs fails on a planted secret and never prints it', () => {
    writeFileSync(join(dir, 'api-main-1234-1.log'), `{"msg":"login","detail":"${planted}"}\n`);
    const run = (): { status: number | null; out: string } => {
      const r = spawnSync(process.execPath, ['-r', join(repoRoot(), 'tools', 'alias-register.cjs'), join(repoRoot(), 'dist', 'tools', 'secrets-scan-test-logs.js')], {
        env: { ...process.env, TEST_LOG_DIR: dir },
        encoding: 'utf8',
      });
      return { status: r.status, out: r.stdout + r.stderr };
    };
    const failed = run();
    expect(failed.status).toBe(1);
    expect(failed.out).toContain(`planted secret found in ${join(dir, 'api-main-1234-1.log')}`);
    expect(failed.out).not.toContain(planted);

    // Without the leak (and with the registry re-planted: the command deletes it after reading) the scan passes.
    rmSync(join(dir, 'api-main-1234-1.log'));
    writeFileSync(join(dir, SEEDED_SECRETS_FILE), `${JSON.stringify({ kind: 'planted secret', value: planted })}\n`);
    const passed = run();
    expect([passed.status, passed.out]).toEqual([0, expect.stringContaining('no seeded secret in any test output')]);
  });
});

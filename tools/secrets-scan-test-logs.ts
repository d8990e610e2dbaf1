/**
 * Run by `npm test` after jest: searches every output of the run — jest's own stdout/stderr and every process the
 * test harnesses spawned — collected under TEST_LOG_DIR, for every seeded secret (libs/testing/src/test-secrets.ts).
 * Prints one line per finding naming the file and the kind of secret, never the value, and exits 1 on a finding.
 * The registry of seeded secrets is deleted afterwards; the logs stay for inspection.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { scanForSecrets, SEEDED_SECRETS_FILE, seededSecrets, testLogDir } from '@app/testing';

function main(): void {
  const dir = testLogDir();
  if (!dir) throw new Error('TEST_LOG_DIR is not set: nothing to scan');
  const secrets = seededSecrets(dir);
  const { files, bytes, findings } = scanForSecrets(dir, secrets);
  rmSync(join(dir, SEEDED_SECRETS_FILE), { force: true });
  const kinds = new Set(secrets.map((s) => s.kind)).size;
  const summary = `${files} files, ${(bytes / 1024 / 1024).toFixed(1)} MiB, ${secrets.length} seeded values of ${kinds} kinds`;
  if (!files || !findings.length) {
    console.log(files ? `secret scan: no seeded secret in any test output (${summary})` : `secret scan: FAILED, no output collected in ${dir}`);
    process.exit(files ? 0 : 1);
  }
  for (const f of findings) console.log(`secret scan: FAILED, ${f.kind} found in ${join(dir, f.file)}`);
  console.log(`secret scan: ${findings.length} finding(s) (${summary})`);
  process.exit(1);
}

if (require.main === module) {
  try {
    main();
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  }
}

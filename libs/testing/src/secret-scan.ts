import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { SEEDED_SECRETS_FILE, SeededSecret } from './test-secrets';

export interface SecretFinding {
  /** The file, relative to the scanned directory. */
  file: string;
  /** The secret's kind; the value itself is never part of a finding. */
  kind: string;
}

/** Shorter values would match by accident (and are not secrets the product handles). */
const MIN_SECRET_LENGTH = 8;

/** The forms a value takes when it leaks through a URL, a form body or a JSON string. */
function variants(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  return [...new Set([value, encodeURIComponent(value), json])];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * Searches every file under `dir` (except the registry of seeded secrets itself) for every secret, in each of
 * its leaked forms. One finding per file and kind.
 */
export function scanForSecrets(dir: string, secrets: SeededSecret[]): { files: number; bytes: number; findings: SecretFinding[] } {
  const needles = secrets.filter((s) => s.value.length >= MIN_SECRET_LENGTH).flatMap((s) => variants(s.value).map((v) => ({ kind: s.kind, v })));
  const findings: SecretFinding[] = [];
  let files = 0;
  let bytes = 0;
  for (const path of filesUnder(dir)) {
    const file = relative(dir, path);
    if (file === SEEDED_SECRETS_FILE) continue;
    const text = readFileSync(path, 'utf8');
    files++;
    bytes += text.length;
    const kinds = new Set<string>();
    for (const n of needles) if (!kinds.has(n.kind) && text.includes(n.v)) kinds.add(n.kind);
    for (const kind of kinds) findings.push({ file, kind });
  }
  return { files, bytes, findings };
}

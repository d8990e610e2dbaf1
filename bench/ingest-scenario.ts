/**
 * Scenario 4: audit ingestion events/s vs plain COPY of the same rows. Runs bench/audit-ingest (owned with the
 * audit code) as a child process and reads its last line, `AUDIT_INGEST_RESULT {json}`.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '@app/common';
import { Figure, parseMarkedJson } from './lib/report';

interface IngestResult {
  rows: number;
  writers: number;
  writerS: number;
  copyS: number;
  writerRate: number;
  copyRate: number;
}

export const INGEST_TARGET_RATE = 50_000;
export const INGEST_TARGET_RATIO = 0.5;

export async function ingestScenario(o: { rows: number }): Promise<{ figures: Figure[]; raw: IngestResult }> {
  const root = repoRoot();
  const child = spawn(process.execPath, ['-r', join(root, 'tools', 'alias-register.cjs'), join(root, 'dist', 'bench', 'audit-ingest.js'), String(o.rows)], {
    cwd: root,
    env: process.env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    process.stdout.write(d.toString().replace(/^(?=.)/gm, '  [audit-ingest] '));
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`audit-ingest exited with ${code}`);
  const r = parseMarkedJson<IngestResult>(out, 'AUDIT_INGEST_RESULT');
  const scenario = `4 audit ingestion, ${r.rows.toLocaleString('en-US')} events`;
  const ratio = r.writerRate / r.copyRate;
  return {
    figures: [
      {
        scenario,
        metric: `product writer (${r.writers} writers)`,
        value: Math.round(r.writerRate),
        unit: 'events/s',
        reference: { label: `plain COPY of the same rows (${r.writers} streams)`, value: Math.round(r.copyRate), unit: 'events/s' },
        ratio,
        target: `≥ ${INGEST_TARGET_RATE.toLocaleString('en-US')}/s and ≥ ${INGEST_TARGET_RATIO}× COPY`,
        met: r.writerRate >= INGEST_TARGET_RATE && ratio >= INGEST_TARGET_RATIO,
      },
    ],
    raw: r,
  };
}

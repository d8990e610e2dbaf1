import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Figure {
  scenario: string;
  metric: string;
  value: number;
  unit: string;
  reference?: { label: string; value: number; unit: string };
  /** value / reference, when both are meaningful together. */
  ratio?: number;
  target?: string;
  met?: boolean;
}

export function markdownTable(figures: Figure[]): string {
  const rows = figures.map((f) => {
    const ref = f.reference ? `${f.reference.value.toLocaleString('en-US')} ${f.reference.unit} (${f.reference.label})` : '—';
    const ratio = f.ratio === undefined ? '—' : `${f.ratio.toFixed(2)}×`;
    const target = f.target ? `${f.target} ${f.met === undefined ? '' : f.met ? '✅' : '❌'}` : '—';
    return `| ${f.scenario} | ${f.metric} | ${f.value.toLocaleString('en-US')} ${f.unit} | ${ref} | ${ratio} | ${target} |`;
  });
  return ['| scenario | metric | value | reference (same run) | ratio | target |', '|---|---|---|---|---|---|', ...rows].join('\n');
}

/** A small SVG line chart: measured wall time vs tenants against the ideal line. */
export function wallTimeChart(points: { tenants: number; wallS: number; idealS: number }[]): string {
  const W = 640;
  const H = 360;
  const pad = 50;
  const maxX = Math.max(...points.map((p) => p.tenants));
  const maxY = Math.max(...points.flatMap((p) => [p.wallS, p.idealS])) * 1.1;
  const x = (v: number) => pad + (v / maxX) * (W - 2 * pad);
  const y = (v: number) => H - pad - (v / maxY) * (H - 2 * pad);
  const line = (key: 'wallS' | 'idealS') => points.map((p, i) => `${i ? 'L' : 'M'}${x(p.tenants).toFixed(1)},${y(p[key]).toFixed(1)}`).join(' ');
  const ticks = points
    .map((p) => `<text x="${x(p.tenants)}" y="${H - pad + 18}" font-size="12" text-anchor="middle">${p.tenants}</text>`)
    .join('');
  const yTicks = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => `<text x="${pad - 8}" y="${y(maxY * f) + 4}" font-size="12" text-anchor="end">${(maxY * f).toFixed(0)}</text>`)
    .join('');
  const dots = points.map((p) => `<circle cx="${x(p.tenants)}" cy="${y(p.wallS)}" r="4" fill="#1f77b4"/>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<line x1="${pad}" y1="${H - pad}" x2="${W - pad}" y2="${H - pad}" stroke="black"/><line x1="${pad}" y1="${pad}" x2="${pad}" y2="${H - pad}" stroke="black"/>
${ticks}${yTicks}
<path d="${line('idealS')}" stroke="#999" stroke-dasharray="6 4" fill="none" stroke-width="2"/>
<path d="${line('wallS')}" stroke="#1f77b4" fill="none" stroke-width="2"/>${dots}
<text x="${W / 2}" y="${H - 10}" font-size="13" text-anchor="middle">tenants (bulk onboarding, 40 ± 10 ms per call, concurrency 50)</text>
<text x="14" y="${H / 2}" font-size="13" text-anchor="middle" transform="rotate(-90 14 ${H / 2})">wall time (s)</text>
<text x="${W - pad}" y="${pad - 20}" font-size="12" text-anchor="end" fill="#1f77b4">measured</text>
<text x="${W - pad}" y="${pad - 6}" font-size="12" text-anchor="end" fill="#777">latency-bound ideal</text>
</svg>`;
}

export function writeResults(name: string, data: unknown, markdown: string, svg?: string): string {
  const dir = join(__dirname, '..', '..', '..', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  writeFileSync(join(dir, `${stamp}-${name}.json`), JSON.stringify(data, null, 2));
  writeFileSync(join(dir, `${stamp}-${name}.md`), markdown + '\n');
  if (svg) writeFileSync(join(dir, `onboarding-wall-time.svg`), svg);
  return join(dir, `${stamp}-${name}`);
}

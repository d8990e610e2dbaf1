import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One measured figure, printed beside the reference measured in the same run (these machines are noisy). */
export interface Figure {
  scenario: string;
  metric: string;
  value: number;
  unit: string;
  reference?: { label: string; value: number; unit: string };
  /** value / reference (or reference / value for a speed-up), when both are meaningful together. */
  ratio?: number;
  target?: string;
  met?: boolean;
}

export interface ScalingPoint {
  tenants: number;
  wallS: number;
  idealS: number;
}

/**
 * The latency-bound ideal wall time of a bulk onboarding: calls of one tenant are sequential, so its critical path
 * is its calls × the mean call latency; the pool runs `slots` tenants at once (concurrency × workers), so the
 * tenants go through in ceil(tenants / slots) waves.
 */
export function latencyBoundIdealMs(callsPerTenant: number, tenants: number, slots: number, meanCallMs: number): number {
  return Math.ceil(tenants / slots) * callsPerTenant * meanCallMs;
}

const num = (v: number): string => v.toLocaleString('en-US', { maximumFractionDigits: 2 });

export function markdownTable(figures: Figure[]): string {
  const rows = figures.map((f) => {
    const ref = f.reference ? `${num(f.reference.value)} ${f.reference.unit} (${f.reference.label})` : '—';
    const ratio = f.ratio === undefined || !Number.isFinite(f.ratio) ? '—' : `${f.ratio.toFixed(2)}×`;
    const target = f.target ? `${f.target} ${f.met === undefined ? '' : f.met ? '✅ met' : '❌ not met'}`.trim() : '—';
    return `| ${f.scenario} | ${f.metric} | ${num(f.value)} ${f.unit} | ${ref} | ${ratio} | ${target} |`;
  });
  return ['| scenario | metric | value | reference (same run) | ratio | target |', '|---|---|---|---|---|---|', ...rows].join('\n');
}

/** Picks "nice" axis ticks (1, 2, 5 × 10^k) covering [0, max]. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = 0; v < max + step; v += step) ticks.push(+v.toPrecision(12));
  return ticks;
}

/**
 * A small hand-written SVG line chart: measured onboarding wall time vs tenants, against the latency-bound ideal
 * (measured calls per tenant × 40 ms × tenants / concurrency) of the same runs.
 */
export function scalingChart(points: ScalingPoint[], subtitle = 'bulk onboarding, 40 ± 10 ms per call, concurrency 50, 1 worker'): string {
  const pts = [...points].sort((a, b) => a.tenants - b.tenants);
  const W = 640;
  const H = 380;
  const left = 60;
  const right = 30;
  const top = 50;
  const bottom = 60;
  const xTicks = niceTicks(Math.max(1, ...pts.map((p) => p.tenants)));
  const yTicks = niceTicks(Math.max(1, ...pts.flatMap((p) => [p.wallS, p.idealS])));
  const maxX = xTicks[xTicks.length - 1]!;
  const maxY = yTicks[yTicks.length - 1]!;
  const x = (v: number): string => (left + (v / maxX) * (W - left - right)).toFixed(1);
  const y = (v: number): string => (H - bottom - (v / maxY) * (H - top - bottom)).toFixed(1);
  const path = (key: 'wallS' | 'idealS'): string => ['M', x(0), y(0), ...pts.flatMap((p) => ['L', x(p.tenants), y(p[key])])].join(' ');
  const grid = yTicks
    .map((t) => `<line x1="${left}" y1="${y(t)}" x2="${W - right}" y2="${y(t)}" stroke="#eee"/><text x="${left - 8}" y="${+y(t) + 4}" font-size="12" text-anchor="end">${t}</text>`)
    .join('\n');
  const xLabels = xTicks.map((t) => `<text x="${x(t)}" y="${H - bottom + 18}" font-size="12" text-anchor="middle">${t}</text>`).join('\n');
  const dots = pts
    .map(
      (p) =>
        `<circle cx="${x(p.tenants)}" cy="${y(p.wallS)}" r="4" fill="#1f77b4"><title>${p.tenants} tenants: ${p.wallS.toFixed(1)} s (ideal ${p.idealS.toFixed(1)} s)</title></circle>` +
        `<text x="${x(p.tenants)}" y="${+y(p.wallS) - 9}" font-size="11" text-anchor="middle" fill="#1f77b4">${p.wallS.toFixed(1)} s</text>`,
    )
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${W / 2}" y="22" font-size="15" text-anchor="middle">Onboarding wall time vs tenants</text>
<text x="${W / 2}" y="40" font-size="11" text-anchor="middle" fill="#555">${subtitle}</text>
${grid}
${xLabels}
<line x1="${left}" y1="${H - bottom}" x2="${W - right}" y2="${H - bottom}" stroke="black"/>
<line x1="${left}" y1="${top}" x2="${left}" y2="${H - bottom}" stroke="black"/>
<path d="${path('idealS')}" stroke="#888" stroke-dasharray="6 4" fill="none" stroke-width="2"/>
<path d="${path('wallS')}" stroke="#1f77b4" fill="none" stroke-width="2"/>
${dots}
<text x="${(left + W - right) / 2}" y="${H - 18}" font-size="13" text-anchor="middle">tenants</text>
<text x="16" y="${(top + H - bottom) / 2}" font-size="13" text-anchor="middle" transform="rotate(-90 16 ${(top + H - bottom) / 2})">wall time (s)</text>
<line x1="${left + 15}" y1="${top + 10}" x2="${left + 40}" y2="${top + 10}" stroke="#1f77b4" stroke-width="2"/><text x="${left + 46}" y="${top + 14}" font-size="12">measured</text>
<line x1="${left + 15}" y1="${top + 28}" x2="${left + 40}" y2="${top + 28}" stroke="#888" stroke-dasharray="6 4" stroke-width="2"/><text x="${left + 46}" y="${top + 32}" font-size="12">latency-bound ideal</text>
</svg>
`;
}

/** Which scenarios to run: `--only 4,5` or BENCH_SCENARIOS=4,5; all when neither is given. */
export function selectScenarios(argv: string[], envValue: string | undefined, all: number[]): number[] {
  const i = argv.indexOf('--only');
  const inline = argv.find((a) => a.startsWith('--only='));
  const spec = i >= 0 ? argv[i + 1] : inline ? inline.slice('--only='.length) : envValue;
  if (!spec?.trim()) return all;
  const picked = spec.split(',').map((s) => Number(s.trim()));
  const bad = picked.filter((n) => !all.includes(n));
  if (bad.length) throw new Error(`unknown scenario(s) ${bad.join(', ')}; known: ${all.join(', ')}`);
  return all.filter((n) => picked.includes(n));
}

/** The JSON a child benchmark prints on one line after `marker` (its stable machine-readable interface). */
export function parseMarkedJson<T>(output: string, marker: string): T {
  const line = output
    .split('\n')
    .reverse()
    .find((l) => l.startsWith(`${marker} `));
  if (!line) throw new Error(`no "${marker} {json}" line in the output:\n${output.slice(-2000)}`);
  return JSON.parse(line.slice(marker.length + 1)) as T;
}

/** results/<stamp>.json and results/<stamp>.md, plus the chart when given; returns the path without extension. */
export function writeResults(dir: string, stamp: string, data: unknown, markdown: string, chartSvg?: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${stamp}.json`), JSON.stringify(data, null, 2) + '\n');
  writeFileSync(join(dir, `${stamp}.md`), markdown + '\n');
  if (chartSvg) writeFileSync(join(dir, 'onboarding-scaling.svg'), chartSvg);
  return join(dir, stamp);
}

/** bench/results in the source tree (the compiled benches run from dist/bench). */
export const resultsDir = (): string => join(__dirname, '..', '..', '..', 'bench', 'results');

export const fileStamp = (d: Date): string => d.toISOString().replace(/[:.]/g, '-');

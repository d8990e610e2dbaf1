import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFigures, LoadResult } from './load';
import { Figure, latencyBoundIdealMs, markdownTable, niceTicks, parseMarkedJson, scalingChart, selectScenarios, writeResults } from './report';

const figure: Figure = {
  scenario: '1 bulk onboarding',
  metric: 'wall time',
  value: 21.5,
  unit: 's',
  reference: { label: 'latency-bound ideal', value: 17.2, unit: 's' },
  ratio: 1.25,
  target: '≤ 1.2×',
  met: false,
};

describe('markdownTable', () => {
  it('prints each figure beside its same-run reference, the ratio and the verdict', () => {
    const lines = markdownTable([figure, { scenario: '1', metric: 'calls', value: 12345.678, unit: 'calls' }]).split('\n');
    expect(lines[0]).toBe('| scenario | metric | value | reference (same run) | ratio | target |');
    expect(lines[2]).toBe('| 1 bulk onboarding | wall time | 21.5 s | 17.2 s (latency-bound ideal) | 1.25× | ≤ 1.2× ❌ not met |');
    expect(lines[3]).toBe('| 1 | calls | 12,345.68 calls | — | — | — |');
  });

  it('marks a met target and hides a ratio that is not a number', () => {
    const row = markdownTable([{ ...figure, ratio: Infinity, met: true }]).split('\n')[2];
    expect(row).toContain('| — | ≤ 1.2× ✅ met |');
  });
});

describe('scalingChart', () => {
  const points = [
    { tenants: 1000, wallS: 40, idealS: 32 },
    { tenants: 100, wallS: 5, idealS: 3.2 },
    { tenants: 300, wallS: 13, idealS: 9.6 },
  ];

  it('draws the measured and the ideal line from the origin through every point, in tenant order', () => {
    const svg = scalingChart(points);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    const paths = [...svg.matchAll(/<path d="([^"]+)"/g)].map((m) => m[1]!);
    expect(paths).toHaveLength(2);
    // x axis 0..1000 over [60, 610]; y axis 0..40 (nice ticks) over [320, 50]
    expect(paths[0]).toBe('M 60.0 320.0 L 115.0 298.4 L 225.0 255.2 L 610.0 104.0'); // ideal
    expect(paths[1]).toBe('M 60.0 320.0 L 115.0 286.3 L 225.0 232.3 L 610.0 50.0'); // measured
    expect(svg.match(/<circle /g)).toHaveLength(3);
    expect(svg).toContain('>40.0 s</text>');
    expect(svg).toContain('latency-bound ideal');
  });

  it('escapes nothing it does not need to: the output is well-formed XML with balanced tags', () => {
    const svg = scalingChart(points);
    const opened = (svg.match(/<(svg|text|circle|title)\b/g) ?? []).length;
    const closed = (svg.match(/<\/(svg|text|circle|title)>/g) ?? []).length;
    expect(opened).toBe(closed);
  });
});

describe('latencyBoundIdealMs', () => {
  it('is the per-tenant critical path times the number of waves through the slots', () => {
    expect(latencyBoundIdealMs(18, 1000, 50, 40)).toBe(14_400); // 20 waves of 18 × 40 ms
    expect(latencyBoundIdealMs(18, 1000, 100, 40)).toBe(7_200); // two workers: 10 waves
    expect(latencyBoundIdealMs(18, 50, 50, 40)).toBe(720);
    expect(latencyBoundIdealMs(18, 51, 50, 40)).toBe(1_440); // a 51st tenant needs a second wave
    expect(latencyBoundIdealMs(18, 5, 50, 40)).toBe(720); // never less than one tenant's own path
  });
});

describe('niceTicks', () => {
  it('covers the maximum with 1-2-5 steps from 0', () => {
    expect(niceTicks(1000)).toEqual([0, 200, 400, 600, 800, 1000]);
    expect(niceTicks(37)).toEqual([0, 10, 20, 30, 40]);
    expect(niceTicks(0)).toEqual([0, 1]);
  });
});

describe('selectScenarios', () => {
  const all = [1, 2, 3, 4, 5, 6, 7];
  it('takes --only, --only=, then the environment, else everything', () => {
    expect(selectScenarios(['--only', '5,7'], '1', all)).toEqual([5, 7]);
    expect(selectScenarios(['--quick', '--only=4'], undefined, all)).toEqual([4]);
    expect(selectScenarios([], '6, 2', all)).toEqual([2, 6]);
    expect(selectScenarios([], undefined, all)).toEqual(all);
  });
  it('refuses an unknown scenario', () => {
    expect(() => selectScenarios(['--only', '8'], undefined, all)).toThrow(/unknown scenario\(s\) 8/);
  });
});

describe('parseMarkedJson', () => {
  it('reads the last marked line of a child benchmark', () => {
    const out = 'audit ingestion benchmark\nAUDIT_INGEST_RESULT {"writerRate":1}\nratio 0.9\nAUDIT_INGEST_RESULT {"writerRate":2}\n';
    expect(parseMarkedJson<{ writerRate: number }>(out, 'AUDIT_INGEST_RESULT')).toEqual({ writerRate: 2 });
    expect(() => parseMarkedJson('nothing', 'AUDIT_INGEST_RESULT')).toThrow(/no "AUDIT_INGEST_RESULT \{json\}" line/);
  });
});

describe('loadFigures', () => {
  const r = (over: Partial<LoadResult>): LoadResult => ({ rate: 200, p50Ms: 2, p99Ms: 20, maxMs: 30, throughput: 200, sent: 4000, non2xx: 0, errors: 0, ...over });
  it('puts p50, p99 and throughput beside the bare route at the same rate, with the p99 verdict', () => {
    const [p50, p99, tput] = loadFigures('7 webhooks', r({ p99Ms: 60 }), r({ p50Ms: 1, p99Ms: 4 }), { ms: 100 });
    expect(p50).toMatchObject({ metric: 'p50 @ 200 req/s', value: 2, ratio: 2, reference: { value: 1, label: 'bare Fastify route @ 200/s' } });
    expect(p99).toMatchObject({ value: 60, ratio: 15, target: '≤ 100 ms', met: true });
    expect(tput).toMatchObject({ value: 200, unit: 'req/s', ratio: 1 });
  });
  it('fails the target when requests were refused, and gives no ratio against a 0 ms reference', () => {
    const [p50, p99, tput] = loadFigures('7 webhooks', r({ non2xx: 3 }), r({ p50Ms: 0 }), { ms: 100 });
    expect(p99!.met).toBe(false);
    expect(tput!.unit).toBe('req/s (3 non-2xx/errors)');
    expect(p50!.ratio).toBeUndefined();
  });
});

describe('writeResults', () => {
  it('writes <stamp>.json, <stamp>.md and the chart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-'));
    const base = writeResults(dir, '2026-01-01T00-00-00-000Z', { a: 1 }, '# md', '<svg/>');
    expect(JSON.parse(readFileSync(`${base}.json`, 'utf8'))).toEqual({ a: 1 });
    expect(readFileSync(`${base}.md`, 'utf8')).toBe('# md\n');
    expect(readFileSync(join(dir, 'onboarding-scaling.svg'), 'utf8')).toBe('<svg/>');
  });
});

import { measureHere } from './host-speed';
import { cpuExcluding } from './proc-stats';

describe('host speed workload', () => {
  it('reports the median, fastest and slowest round of the fixed workload', () => {
    const s = measureHere();
    expect(s.rounds).toBe(31);
    expect(s.minMs).toBeGreaterThan(0);
    expect(s.minMs).toBeLessThanOrEqual(s.medianMs);
    expect(s.medianMs).toBeLessThanOrEqual(s.maxMs);
  });
});

describe('cpuExcluding', () => {
  it('subtracts exactly the named process groups', () => {
    const split: [string, number][] = [
      ['worker', 13.6],
      ['entra-sim', 3.9],
      ['postgres', 4.1],
      ['vb365-sim', 2.3],
      ['bench', 0.1],
    ];
    expect(cpuExcluding(26.4, split, ['entra-sim', 'vb365-sim', 'bench'])).toBeCloseTo(20.1, 6);
    expect(cpuExcluding(26.4, split, ['nobody'])).toBe(26.4);
  });
});

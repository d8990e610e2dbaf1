import { backoffWithJitter } from './time';

describe('backoffWithJitter', () => {
  it('grows exponentially, stays within [exp/2, exp] and respects the cap', () => {
    expect(backoffWithJitter(1, 1000, 60_000, () => 0)).toBe(500);
    expect(backoffWithJitter(1, 1000, 60_000, () => 1)).toBe(1000);
    expect(backoffWithJitter(3, 1000, 60_000, () => 1)).toBe(4000);
    expect(backoffWithJitter(20, 1000, 60_000, () => 1)).toBe(60_000);
  });
});

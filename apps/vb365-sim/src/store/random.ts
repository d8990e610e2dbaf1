import { prng } from '@app/sim-kit';

/** Deterministic PRNG (mulberry32): the same seed produces the same organizations, ids and sessions. */
export type Rng = () => number;

export const rng: (seed: number) => Rng = prng;

const hex = (r: Rng, n: number): string => {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(r() * 16).toString(16);
  return s;
};

export function uuidFrom(r: Rng): string {
  return `${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-${'89ab'[Math.floor(r() * 4)]}${hex(r, 3)}-${hex(r, 12)}`;
}

export const pick = <T>(r: Rng, items: readonly T[]): T => items[Math.floor(r() * items.length)]!;

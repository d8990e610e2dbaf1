import { prng } from '@app/sim-kit';
import type { DirectoryUser } from './directory.types';

/** Deterministic PRNG shared with vb365-sim (sim-kit): the same generator seed always yields the same directory. */
export { prng };

export function guidFrom(rand: () => number): string {
  let hex = '';
  while (hex.length < 32) hex += Math.floor(rand() * 0x100000000).toString(16).padStart(8, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Margaret', 'Linus'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Hamilton', 'Torvalds'];

/** User `index` of a generated tenant, computed on demand (never stored: capacity target is 1M users). */
export function generatedUser(seed: number, domain: string, index: number): DirectoryUser {
  const rand = prng(seed * 1_000_003 + index);
  const first = FIRST[index % FIRST.length]!;
  const last = LAST[Math.floor(index / FIRST.length) % LAST.length]!;
  const upn = `${first}.${last}${index}@${domain}`.toLowerCase();
  return { id: guidFrom(rand), displayName: `${first} ${last} ${index}`, userPrincipalName: upn, mail: upn, accountEnabled: true };
}

export interface GeneratedTenantSpec {
  id: string;
  domain: string;
  displayName: string;
  sizeClass: 'small' | 'medium' | 'large';
  userSeed: number;
}

/** Tenant `index` of generator seed `seed`. */
export function generatedTenant(seed: number, index: number, usersPerTenant: number): GeneratedTenantSpec {
  const rand = prng(seed * 7919 + index);
  const id = guidFrom(rand);
  const sizeClass = usersPerTenant < 50 ? 'small' : usersPerTenant <= 500 ? 'medium' : 'large';
  return { id, domain: `tenant${index}-s${seed}.onmicrosoft.com`, displayName: `Generated Tenant ${index}`, sizeClass, userSeed: seed * 100_003 + index };
}

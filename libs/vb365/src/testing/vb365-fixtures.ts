import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@app/common';

/** Test-only helpers: the contract location, credentials and a seed factory for vb365-sim. */
export const CONTRACT_PATH = join(repoRoot(), '..', 'shared', 'contracts', 'vb365_rest_v8.json');
export const CA_PATH = join(repoRoot(), '.local', 'certs', 'ca.pem');
export const SIM_USER = 'VB365\\svc-orchestrator';
export const SIM_PASSWORD = 'sim-Passw0rd!';

export function requireContract(): string {
  if (!existsSync(CONTRACT_PATH)) {
    throw new Error(`CONTRACT MISSING: ${CONTRACT_PATH} does not exist, so the VB365 contract tests cannot run. Restore ../shared/contracts.`);
  }
  return CONTRACT_PATH;
}

export const simEnv = (): Record<string, string> => ({
  VB365_SIM_USERNAME: SIM_USER,
  VB365_SIM_PASSWORD: SIM_PASSWORD,
  VB365_SIM_CONTRACT_SPEC: requireContract(),
});

let counter = 0;
const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');
/** Deterministic uuid-shaped ids, unique within a test file. */
export const uuid = (tag: number): string => `${hex(tag, 8)}-0000-4000-8000-${hex(++counter, 12)}`;

export interface OrgFixture {
  id: string;
  msid: string;
  name: string;
  users: { id: string; displayName: string; name: string; msid: string; type?: 'User' | 'Shared' | 'Public' }[];
  groups: { id: string; displayName: string; name: string; msid: string }[];
  sites: { id: string; url: string; parentUrl: string; title: string }[];
  teams: { id: string; displayName: string; description: string; mail: string }[];
  type?: 'Office365' | 'OnPremises' | 'Hybrid';
}

export function orgFixture(n: number, sizes: { users?: number; groups?: number; sites?: number; teams?: number } = {}): OrgFixture {
  const domain = `org${n}.onmicrosoft.com`;
  return {
    id: uuid(n),
    msid: uuid(1000 + n),
    name: `Org ${n}`,
    users: Array.from({ length: sizes.users ?? 3 }, (_, i) => ({
      id: `u${n}x${i}`.padEnd(64, '0'),
      displayName: i === 0 ? 'Ada Lovelace' : `User ${i}`,
      name: i === 0 ? `ada@${domain}` : `user${i}@${domain}`,
      msid: uuid(2000 + n),
    })),
    groups: Array.from({ length: sizes.groups ?? 2 }, (_, i) => ({ id: `g${n}x${i}`.padEnd(64, '0'), displayName: `Group ${i}`, name: `group${i}@${domain}`, msid: uuid(3000 + n) })),
    sites: Array.from({ length: sizes.sites ?? 2 }, (_, i) => ({
      id: `s${n}x${i}`.padEnd(64, '0'),
      url: i === 0 ? `https://org${n}.sharepoint.com` : `https://org${n}.sharepoint.com/sites/s${i}`,
      parentUrl: i === 0 ? '' : `https://org${n}.sharepoint.com`,
      title: i === 0 ? 'Root' : `Site ${i}`,
    })),
    teams: Array.from({ length: sizes.teams ?? 2 }, (_, i) => ({ id: uuid(4000 + n), displayName: `Team ${i}`, description: `Team ${i}`, mail: `team${i}@${domain}` })),
  };
}

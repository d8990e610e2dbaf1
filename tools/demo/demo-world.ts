import { buildScenario, freePort, helpdeskRole, Scenario, startSimulator, RunningSimulator } from '@app/testing';

/** A free TCP port on loopback (the api's port must be known before it starts: it is in the consent redirect URI). */
export { freePort };

/** The demo's customers: most consent through the link, some are preconsented, two refuse, one lacks its VB365 org. */
export function demoScenario(n: number, apiUrl: string): Scenario {
  const pick = (every: number, offset: number) => Array.from({ length: n }, (_, i) => i).filter((i) => i % every === offset);
  const refuse = n >= 10 ? [3, Math.min(n - 1, 17)] : n >= 4 ? [3] : [];
  const organizationMissing = n >= 13 ? [12] : n >= 3 ? [n - 1] : [];
  const preconsented = pick(5, 0).filter((i) => !refuse.includes(i) && !organizationMissing.includes(i));
  return buildScenario({
    tenants: n,
    seed: 'demo',
    refuse,
    preconsented,
    organizationMissing,
    redirectUri: `${apiUrl}/v1/consent/callback`,
  });
}

export async function startSeededSimulators(scenario: Scenario): Promise<{ entra: RunningSimulator; vb365: RunningSimulator }> {
  const [entra, vb365] = await Promise.all([startSimulator('entra-sim'), startSimulator('vb365-sim')]);
  await entra.admin('/_sim/seed', scenario.entraSeed, 'POST', 'identity');
  await vb365.admin('/_sim/seed', scenario.vb365Seed);
  return { entra, vb365 };
}

export const DEMO_ROLES = [helpdeskRole()];

/** Plain-text rendering for the demo: progress line and summary table. */

export interface TenantRow {
  name: string;
  status: string;
  durationMs: number | null;
  changes: Record<string, number>;
  hint: string;
}

/** Short labels for the change actions steps report, so a row stays readable. */
const SHORT: Record<string, string> = {
  createServicePrincipal: 'SP',
  createGrant: 'grant',
  updateGrant: 'grant-scope',
  deleteGrant: 'grant-removed',
  'create-role': 'role',
  'update-role': 'role-updated',
  'delete-role': 'role-removed',
};
const short = (action: string): string => SHORT[action] ?? action;

const pad = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s.padEnd(n));

export function progressLine(counts: Record<string, number>, total: number, elapsedMs: number): string {
  const done = (counts['active'] ?? 0) + (counts['failed'] ?? 0) + (counts['refused'] ?? 0);
  const width = 30;
  const filled = Math.round((done / Math.max(1, total)) * width);
  const parts = Object.entries(counts)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} settled (${parts}) ${(elapsedMs / 1000).toFixed(1)} s`;
}

export function summaryTable(rows: TenantRow[]): string {
  const header = `${pad('tenant', 14)} ${pad('status', 17)} ${pad('duration', 9)} ${pad('what changed', 64)} hint`;
  const lines = rows.map((r) => {
    const changed = Object.entries(r.changes)
      .map(([k, v]) => `${short(k)}×${v}`)
      .join(' ');
    const duration = r.durationMs === null ? '-' : `${(r.durationMs / 1000).toFixed(1)} s`;
    return `${pad(r.name, 14)} ${pad(r.status, 17)} ${pad(duration, 9)} ${pad(changed || '-', 64)} ${r.hint}`;
  });
  return [header, '-'.repeat(header.length + 20), ...lines].join('\n');
}

import { Pool } from 'pg';

/**
 * Inserts `count` tenants straight into Postgres (one statement), 1/4 tagged `eu`. All `active`, or with
 * `mixed` 80% `active`, 10% `awaiting_consent` and 10% `failed` (so a status filter has something to skip).
 */
export async function seedTenants(databaseUrl: string, count: number, mixed = false): Promise<string[]> {
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  try {
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO tenants (id, entra_tenant_id, primary_domain, display_name, tags, status, consent_mode, consented_at, updated_at)
       SELECT gen_random_uuid(), gen_random_uuid(), 'tenant' || i || '.example', 'Bench tenant ' || i,
              CASE WHEN i % 4 = 0 THEN ARRAY['eu'] ELSE ARRAY[]::text[] END,
              (CASE WHEN NOT $2 THEN 'active' WHEN i % 10 = 0 THEN 'awaiting_consent' WHEN i % 10 = 5 THEN 'failed' ELSE 'active' END)::"TenantStatus",
              'preconsented'::"ConsentMode", now(), now()
       FROM generate_series(1, $1::int) AS i
       RETURNING id`,
      [count, mixed],
    );
    return rows.map((r) => r.id);
  } finally {
    await pool.end();
  }
}

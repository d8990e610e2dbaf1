import { Pool } from 'pg';

/** A trigram in fewer than this fraction of rows is selective enough to search the trigram index with. */
export const RARE_TRIGRAM_FREQUENCY = 0.05;
/** Trigrams at least this common are stored; a trigram missing from the table is rarer than that. */
const STORED_MIN_FREQUENCY = 0.001;
const SAMPLE_ROWS = 60_000;
const MAX_INDEX_TRIGRAMS = 3;

/**
 * The trigrams a `q=` text certainly implies: every 3-character run of lower-case letters/digits inside one of its
 * words (pg_trgm's own word split). An item name containing the text contains each of them, so `item_name ILIKE
 * '%<trigram>%'` is a safe extra condition; it looks up exactly one posting list of the trigram index.
 */
export function searchTrigrams(text: string): string[] {
  const out = new Set<string>();
  for (const word of text.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
    for (let i = 0; i + 3 <= word.length; i++) {
      const t = word.slice(i, i + 3);
      if (/^[a-z0-9]{3}$/.test(t)) out.add(t);
    }
  }
  return [...out];
}

/**
 * Which of `text`'s trigrams to search the index with: the rarest (by the sampled statistics), up to three, each in
 * fewer than 5 % of rows. Empty — search the whole text as before — when no statistics exist yet or every trigram
 * is common (a common text matches early in the newest-first page scan anyway).
 */
export async function rareTrigrams(pool: Pool, text: string): Promise<string[]> {
  const candidates = searchTrigrams(text);
  if (!candidates.length) return [];
  const { rows } = await pool.query<{ ready: boolean; freq: Record<string, number> }>(
    `SELECT EXISTS (SELECT 1 FROM audit_trigram_stats) AS ready,
            (SELECT coalesce(json_object_agg(trigram, frequency), '{}') FROM audit_trigram_stats WHERE trigram = ANY($1::text[])) AS freq`,
    [candidates],
  );
  if (!rows[0]?.ready) return [];
  const freq = rows[0].freq;
  return candidates
    .map((t) => ({ t, f: freq[t] ?? 0 }))
    .filter((c) => c.f < RARE_TRIGRAM_FREQUENCY)
    .sort((a, b) => a.f - b.f)
    .slice(0, MAX_INDEX_TRIGRAMS)
    .map((c) => c.t);
}

/**
 * Re-samples trigram frequencies of item names (daily maintenance): ~60,000 rows by block sampling, one
 * transaction, so readers see the old or the new statistics, never none. Returns the number of trigrams stored.
 */
export async function refreshTrigramStats(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    `SELECT coalesce(sum(greatest(c.reltuples, 0)), 0) AS n FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'audit_events'::regclass`,
  );
  const pct = Math.min(100, (100 * SAMPLE_ROWS) / Math.max(1, Number(rows[0]?.n)));
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('DELETE FROM audit_trigram_stats');
    const r = await client.query(
      `WITH s AS (SELECT item_name FROM audit_events TABLESAMPLE SYSTEM (${pct.toFixed(6)}) WHERE item_name IS NOT NULL LIMIT ${SAMPLE_ROWS}),
            n AS (SELECT count(*)::real AS n FROM s)
       INSERT INTO audit_trigram_stats (trigram, frequency)
       SELECT t, count(*) / max(n.n) FROM s CROSS JOIN LATERAL unnest(show_trgm(s.item_name)) t CROSS JOIN n
       WHERE t ~ '^[a-z0-9]{3}$'
       GROUP BY t HAVING count(*) / max(n.n) >= ${STORED_MIN_FREQUENCY}`,
    );
    await client.query('COMMIT');
    return r.rowCount ?? 0;
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
}

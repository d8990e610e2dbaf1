import pg from 'pg';

/** OIDs of PostgreSQL's internal single-byte "char" type and of text. */
const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

interface FieldsResult {
  fields?: { dataTypeID: number }[];
}

function reportCharAsText<T>(result: T): T {
  const fields = (result as FieldsResult | null)?.fields;
  if (Array.isArray(fields)) {
    for (const field of fields) if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
  }
  return result;
}

/**
 * A pg client that reports columns of PostgreSQL's internal "char" type (pg_class.relkind, pg_constraint.contype,
 * ...) as text. The schema engine's describer selects such catalog columns when it replays migrations into the
 * shadow database for a diff, and @prisma/adapter-pg 7.10 has no mapping for OID 18, so it fails with
 * "Column type 'char' could not be deserialized from the database". The value is already a one-character string
 * in pg's text protocol, so reporting it as text is exact.
 */
class CharAsTextClient extends pg.Client {
  // pg's query() has many overloads; pool.query() calls the callback form, a checked-out client the promise form.
  override query(...args: unknown[]): never {
    const superQuery = pg.Client.prototype.query as (...a: unknown[]) => unknown;
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      const callback = last as (err: unknown, res: unknown) => void;
      args[args.length - 1] = (err: unknown, res: unknown) =>
        callback(err, err ? res : reportCharAsText(res));
    }
    const out = superQuery.apply(this, args);
    if (out && typeof (out as Promise<unknown>).then === 'function') {
      return (out as Promise<unknown>).then(reportCharAsText) as never;
    }
    return out as never;
  }
}

/** A pg pool whose clients report "char" columns as text (see CharAsTextClient). */
export function charAsTextPool(connectionString: string): pg.Pool {
  return new pg.Pool({ connectionString, Client: CharAsTextClient, max: 4 });
}

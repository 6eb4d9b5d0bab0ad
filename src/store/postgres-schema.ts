import type pg from 'pg';
import { ConfigError } from '../errors.js';

/** The store's schema version; a store written by a newer flipgate is refused, an older one migrated. */
export const SCHEMA_VERSION = 1;

export const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;

// Version 1: the events table, append-only by privileges (for the store's role) and by triggers (for everyone).
function v1(schema: string): string[] {
  const s = quoteIdent(schema);
  return [
    `CREATE SCHEMA IF NOT EXISTS ${s}`,
    `CREATE TABLE ${s}.store_meta (key text PRIMARY KEY, value text NOT NULL)`,
    `CREATE TABLE ${s}.events (
      workflow text NOT NULL,
      seq bigint NOT NULL CHECK (seq > 0),
      hash text NOT NULL,
      prev text NOT NULL,
      type text NOT NULL,
      actor text NOT NULL,
      subject text,
      recorded timestamptz NOT NULL,
      body text NOT NULL,
      PRIMARY KEY (workflow, seq)
    )`,
    `COMMENT ON TABLE ${s}.events IS 'flipgate audit ledger: one row per event; body is the event''s canonical JSON, hash its SHA-256 chain link. Append-only.'`,
    `CREATE FUNCTION ${s}.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        RAISE EXCEPTION 'the flipgate ledger is append-only: % on %.% refused', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
          USING ERRCODE = '42501', HINT = 'events are never changed or removed; flipgate audit verify reveals any change made with the triggers disabled';
      END
    $fn$`,
    `CREATE TRIGGER events_refuse_update_delete BEFORE UPDATE OR DELETE ON ${s}.events FOR EACH ROW EXECUTE FUNCTION ${s}.refuse_change()`,
    `CREATE TRIGGER events_refuse_truncate BEFORE TRUNCATE ON ${s}.events FOR EACH STATEMENT EXECUTE FUNCTION ${s}.refuse_change()`,
    `REVOKE ALL ON ${s}.events FROM PUBLIC`,
    `REVOKE UPDATE, DELETE, TRUNCATE ON ${s}.events FROM CURRENT_USER`,
    `INSERT INTO ${s}.store_meta (key, value) VALUES ('schemaVersion', '${SCHEMA_VERSION}')`,
  ];
}

/** SQL an administrator runs to let another role use the store: it may read and append, nothing else. */
export function grantStatements(schema: string, role: string): string[] {
  const s = quoteIdent(schema);
  const r = quoteIdent(role);
  return [`GRANT USAGE ON SCHEMA ${s} TO ${r}`, `GRANT SELECT ON ${s}.store_meta TO ${r}`, `GRANT SELECT, INSERT ON ${s}.events TO ${r}`];
}

/**
 * Creates the schema on first use (under an advisory lock, so processes starting together do not race)
 * and checks its version. Runs on `client` in a transaction of its own.
 */
export async function ensureSchema(client: pg.Client, schema: string, shown: string): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`flipgate:schema:${schema}`]);
    const exists = await client.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [`${quoteIdent(schema)}.store_meta`]);
    if (!exists.rows[0]?.t) {
      for (const sql of v1(schema)) await client.query(sql);
    } else {
      const r = await client.query<{ value: string }>(`SELECT value FROM ${quoteIdent(schema)}.store_meta WHERE key = 'schemaVersion'`);
      const found = Number(r.rows[0]?.value);
      if (!(found >= 1)) throw new ConfigError(`schema ${schema} has no schemaVersion in store_meta: it is not a flipgate store`, { place: { field: '--store' }, fix: `choose another schema with ${shown.split('?')[0]}?schema=NAME` });
      if (found > SCHEMA_VERSION) throw new ConfigError(`the store's schema is version ${found}; this flipgate knows up to ${SCHEMA_VERSION}`, { place: { field: '--store' }, fix: 'upgrade flipgate' });
    }
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

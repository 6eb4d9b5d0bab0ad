import type pg from 'pg';
import { ConfigError } from '../errors.js';

/** The store's schema version; a store written by a newer flipgate is refused, an older one migrated. */
export const SCHEMA_VERSION = 2;

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
    `INSERT INTO ${s}.store_meta (key, value) VALUES ('schemaVersion', '1')`,
  ];
}

/*
 * Version 2: the database itself checks every appended row, so a role that can only INSERT can add no
 * garbage and no broken link: the body must be canonical JSON (re-rendered from jsonb: keys sorted,
 * no duplicates, no spaces, numbers in their shortest form), its fields must match the row's columns,
 * `hash` must be the SHA-256 of the body's canonical text without `hash` and `sig`, and the row must
 * continue the chain (seq = last + 1, prev = the last hash). Only a signature can tell a well-formed
 * forged event. Also the table of derived views (a cache checked against the ledger before use).
 */
function v2(schema: string): string[] {
  const s = quoteIdent(schema);
  return [
    `CREATE OR REPLACE FUNCTION ${s}.canonical_json(j jsonb) RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT AS $fn$
      DECLARE out text;
      BEGIN
        CASE jsonb_typeof(j)
          WHEN 'object' THEN
            IF EXISTS (SELECT 1 FROM jsonb_object_keys(j) AS k WHERE k !~ '^[ -~]*$') THEN
              RAISE EXCEPTION 'flipgate ledger: an object key outside printable ASCII' USING ERRCODE = '23514';
            END IF;
            SELECT '{' || coalesce(string_agg(to_json(k)::text || ':' || ${s}.canonical_json(v), ',' ORDER BY k COLLATE "C"), '') || '}' INTO out FROM jsonb_each(j) AS e(k, v);
          WHEN 'array' THEN
            SELECT '[' || coalesce(string_agg(${s}.canonical_json(v), ',' ORDER BY n), '') || ']' INTO out FROM jsonb_array_elements(j) WITH ORDINALITY AS a(v, n);
          WHEN 'string' THEN out := to_json(j #>> '{}')::text;
          WHEN 'number' THEN out := trim_scale((j #>> '{}')::numeric)::text;
          ELSE out := j::text;
        END CASE;
        RETURN out;
      END
    $fn$`,
    `CREATE OR REPLACE FUNCTION ${s}.check_append() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
      DECLARE
        v jsonb := NEW.body::jsonb;
        last_seq bigint;
        last_hash text;
      BEGIN
        IF jsonb_typeof(v) <> 'object' OR ${s}.canonical_json(v) <> NEW.body THEN
          RAISE EXCEPTION 'flipgate ledger: event % of % is not canonical JSON', NEW.seq, NEW.workflow USING ERRCODE = '23514';
        END IF;
        IF jsonb_typeof(v->'seq') IS DISTINCT FROM 'number' OR jsonb_typeof(v->'cause') IS DISTINCT FROM 'object'
           OR (SELECT bool_and(jsonb_typeof(v->k) IS NOT DISTINCT FROM 'string') FROM unnest(ARRAY['workflow', 'hash', 'prev', 'type', 'actor', 'time']) AS k) IS NOT TRUE
           OR coalesce(jsonb_typeof(v->'subject'), 'string') <> 'string' OR v->>'workflow' IS DISTINCT FROM NEW.workflow OR v->>'seq' IS DISTINCT FROM NEW.seq::text OR v->>'hash' IS DISTINCT FROM NEW.hash
           OR v->>'prev' IS DISTINCT FROM NEW.prev OR v->>'type' IS DISTINCT FROM NEW.type OR v->>'actor' IS DISTINCT FROM NEW.actor
           OR v->>'subject' IS DISTINCT FROM NEW.subject OR (v->>'time')::timestamptz IS DISTINCT FROM NEW.recorded THEN
          RAISE EXCEPTION 'flipgate ledger: the columns of event % of % differ from its body', NEW.seq, NEW.workflow USING ERRCODE = '23514';
        END IF;
        IF encode(sha256(convert_to(${s}.canonical_json(v - 'hash' - 'sig'), 'UTF8')), 'hex') <> NEW.hash THEN
          RAISE EXCEPTION 'flipgate ledger: event % of % does not match its hash', NEW.seq, NEW.workflow USING ERRCODE = '23514';
        END IF;
        SELECT e.seq, e.hash INTO last_seq, last_hash FROM ${s}.events e WHERE e.workflow = NEW.workflow ORDER BY e.seq DESC LIMIT 1;
        IF NEW.seq <> coalesce(last_seq, 0) + 1 OR NEW.prev <> coalesce(last_hash, repeat('0', 64)) THEN
          RAISE EXCEPTION 'flipgate ledger: event % of % does not continue the chain', NEW.seq, NEW.workflow USING ERRCODE = '23514';
        END IF;
        RETURN NEW;
      END
    $fn$`,
    `DROP TRIGGER IF EXISTS events_check_append ON ${s}.events`,
    `CREATE TRIGGER events_check_append BEFORE INSERT ON ${s}.events FOR EACH ROW EXECUTE FUNCTION ${s}.check_append()`,
    `CREATE TABLE IF NOT EXISTS ${s}.views (workflow text PRIMARY KEY, body text NOT NULL, updated timestamptz NOT NULL DEFAULT now())`,
    `COMMENT ON TABLE ${s}.views IS 'flipgate derived views: one sealed document per workflow, folded from events; never trusted before its head is checked against the ledger.'`,
    `REVOKE ALL ON ${s}.views FROM PUBLIC`,
    `UPDATE ${s}.store_meta SET value = '2' WHERE key = 'schemaVersion'`,
  ];
}

/** Each version's statements, applied in order from the version a store is at. */
const versions = [v1, v2];

/** SQL an administrator runs to let another role use the store: it may read and append, nothing else. */
export function grantStatements(schema: string, role: string): string[] {
  const s = quoteIdent(schema);
  const r = quoteIdent(role);
  return [
    `GRANT USAGE ON SCHEMA ${s} TO ${r}`,
    `GRANT SELECT ON ${s}.store_meta TO ${r}`,
    `GRANT SELECT, INSERT ON ${s}.events TO ${r}`,
    `GRANT SELECT, INSERT, UPDATE ON ${s}.views TO ${r}`,
  ];
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
    let found = 0;
    if (exists.rows[0]?.t) {
      const r = await client.query<{ value: string }>(`SELECT value FROM ${quoteIdent(schema)}.store_meta WHERE key = 'schemaVersion'`);
      found = Number(r.rows[0]?.value);
      if (!(found >= 1))
        throw new ConfigError(`schema ${schema} has no schemaVersion in store_meta: it is not a flipgate store`, {
          place: { field: '--store' },
          fix: `choose another schema with ${shown.split('?')[0]}?schema=NAME`,
        });
      if (found > SCHEMA_VERSION)
        throw new ConfigError(`the store's schema is version ${found}; this flipgate knows up to ${SCHEMA_VERSION}`, {
          place: { field: '--store' },
          fix: 'upgrade flipgate',
        });
    }
    try {
      for (const step of versions.slice(found)) for (const sql of step(schema)) await client.query(sql);
    } catch (e) {
      if (found && (e as { code?: string }).code === '42501') {
        throw new ConfigError(`the store's schema is version ${found}; upgrading it to ${SCHEMA_VERSION} needs the role that owns it`, {
          place: { field: '--store' },
          fix: 'run any flipgate command once as that role (or a superuser), then again as this one',
        });
      }
      throw e;
    }
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

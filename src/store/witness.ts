import type { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { ConfigError } from '../errors.js';
import { writeFileAtomic } from './atomic-file.js';
import { type Checkpoint, checkpointOf, parseCheckpoint } from './checkpoint.js';
import { quoteIdent } from './postgres-schema.js';
import { isPostgresUrl } from './registry.js';
import type { LedgerEvent } from './types.js';

/**
 * A second place that holds the ledger's head, written after every append: a file (on another disk or
 * share) or a table in a Postgres database. A ledger shorter than, or diverging from, its witness was
 * cut or rewritten; signed with the ledger's key, the head cannot be forged either.
 */
export interface Witness {
  readonly location: string;
  /** The head the witness holds for `workflow`, or undefined when it holds none yet. */
  read(workflow: string): Promise<Checkpoint | undefined>;
  /** Records `head` (signed with `key` when given). */
  record(head: Pick<LedgerEvent, 'workflow' | 'seq' | 'hash' | 'time'>, key?: KeyObject): Promise<void>;
  close(): Promise<void>;
}

class FileWitness implements Witness {
  constructor(readonly location: string) {}
  async read(workflow: string): Promise<Checkpoint | undefined> {
    let text: string;
    try {
      text = await readFile(this.location, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      throw new ConfigError(`cannot read the witness (${code ?? 'error'})`, {
        place: { file: this.location, field: '--witness' },
        fix: 'check the path and its permissions',
      });
    }
    const cp = parseCheckpoint(text, this.location, '--witness');
    if (cp.workflow !== workflow)
      throw new ConfigError(`the witness holds the head of workflow ${cp.workflow}, not ${workflow}`, {
        place: { file: this.location, field: '--witness' },
        fix: 'give each workflow a witness of its own',
      });
    return cp;
  }
  async record(head: Pick<LedgerEvent, 'workflow' | 'seq' | 'hash' | 'time'>, key?: KeyObject): Promise<void> {
    await writeFileAtomic(this.location, `${JSON.stringify(checkpointOf(head, { key }), null, 2)}\n`);
  }
  async close(): Promise<void> {}
}

// The witness table: append-only for everyone (a trigger), one row per recorded head.
const witnessSchema = (s: string) => [
  `CREATE SCHEMA IF NOT EXISTS ${s}`,
  `CREATE TABLE IF NOT EXISTS ${s}.witness (workflow text NOT NULL, seq bigint NOT NULL, hash text NOT NULL, time text NOT NULL, created timestamptz NOT NULL, key_id text, signature text, PRIMARY KEY (workflow, seq))`,
  `CREATE OR REPLACE FUNCTION ${s}.witness_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      RAISE EXCEPTION 'the flipgate witness is append-only: % refused', TG_OP USING ERRCODE = '42501';
    END
  $fn$`,
  `DROP TRIGGER IF EXISTS witness_refuse_change ON ${s}.witness`,
  `CREATE TRIGGER witness_refuse_change BEFORE UPDATE OR DELETE OR TRUNCATE ON ${s}.witness FOR EACH STATEMENT EXECUTE FUNCTION ${s}.witness_refuse_change()`,
];

type Fail = (e: unknown, what: string) => Error;

class PostgresWitness implements Witness {
  private ready: Promise<{ c: pg.Client; table: string; fail: Fail }> | undefined;
  constructor(
    readonly location: string,
    private readonly url: string,
  ) {}
  // Loads pg, connects and creates the table on first use only.
  private client(): Promise<{ c: pg.Client; table: string; fail: Fail }> {
    this.ready ??= (async () => {
      const { connect, parseStoreUrl, storeError } = await import('./postgres-store.js');
      const target = parseStoreUrl(this.url, '--witness');
      const table = `${quoteIdent(target.schema)}.witness`;
      let c: pg.Client | undefined;
      try {
        c = await connect(target);
        const exists = await c.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [table]);
        if (!exists.rows[0]?.t) {
          await c.query('BEGIN');
          await c.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`flipgate:witness:${target.schema}`]);
          for (const sql of witnessSchema(quoteIdent(target.schema))) await c.query(sql);
          await c.query('COMMIT');
        }
        return { c, table, fail: (e: unknown, what: string) => storeError(e, target, what, '--witness') };
      } catch (e) {
        await c?.query('ROLLBACK').catch(() => undefined);
        await c?.end().catch(() => undefined);
        throw storeError(e, target, 'open the witness', '--witness');
      }
    })();
    return this.ready;
  }
  async read(workflow: string): Promise<Checkpoint | undefined> {
    const { c, table, fail } = await this.client();
    const r = await c
      .query<{ seq: string; hash: string; time: string; created: Date; key_id: string | null; signature: string | null }>(
        `SELECT seq, hash, time, created, key_id, signature FROM ${table} WHERE workflow = $1 ORDER BY seq DESC LIMIT 1`,
        [workflow],
      )
      .catch((e: unknown) => {
        throw fail(e, 'read the witness');
      });
    const row = r.rows[0];
    if (!row) return undefined;
    return {
      flipgateCheckpoint: 1,
      workflow,
      seq: Number(row.seq),
      hash: row.hash,
      time: row.time,
      created: new Date(row.created).toISOString(),
      ...(row.key_id ? { keyId: row.key_id } : {}),
      ...(row.signature ? { signature: row.signature } : {}),
    };
  }
  async record(head: Pick<LedgerEvent, 'workflow' | 'seq' | 'hash' | 'time'>, key?: KeyObject): Promise<void> {
    const { c, table, fail } = await this.client();
    const cp = checkpointOf(head, { key });
    await c
      .query(
        `INSERT INTO ${table} (workflow, seq, hash, time, created, key_id, signature) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
        [cp.workflow, cp.seq, cp.hash, cp.time, cp.created, cp.keyId ?? null, cp.signature ?? null],
      )
      .catch((e: unknown) => {
        throw fail(e, 'write the witness');
      });
  }
  async close(): Promise<void> {
    const ready = await this.ready?.catch(() => undefined);
    await ready?.c.end().catch(() => undefined);
  }
}

/**
 * The witness at `location`: a `postgres://` URL (table `witness` in its `?schema=`, default
 * `flipgate`) or a file path (relative to `base` when given).
 * @example
 * const witness = openWitness('/mnt/audit/o8.head.json');
 */
export function openWitness(location: string, base?: string): Witness {
  if (isPostgresUrl(location)) {
    let shown = location;
    try {
      const u = new URL(location);
      if (u.password) u.password = '***';
      shown = u.toString();
    } catch {
      // reported when it is first used
    }
    return new PostgresWitness(shown, location);
  }
  return new FileWitness(base ? path.resolve(base, location) : location);
}

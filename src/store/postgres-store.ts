import type { KeyObject } from 'node:crypto';
import pg from 'pg';
import { ConfigError } from '../errors.js';
import { publicKeyOf, type Signer, signerFor } from '../support/digest.js';
import { collect, eventText, parseLine, sealEvents, visitLine } from './chain.js';
import { ensureSchema, grantStatements, quoteIdent } from './postgres-schema.js';
import {
  GENESIS,
  type Head,
  type LedgerEvent,
  type LedgerRead,
  type LedgerTail,
  type LedgerVisitor,
  type NewEvent,
  type StoredView,
  type StoreOptions,
  type StoreTx,
  type WorkflowStore,
} from './types.js';
import { openView, sealView } from './view-doc.js';

export interface StoreTarget {
  connectionString: string;
  schema: string;
  /** The URL with any password masked: safe to print. */
  shown: string;
}

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

/** Splits a store URL into the connection and the schema (`?schema=`, default `flipgate`). */
export function parseStoreUrl(url: string, field = '--store'): StoreTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConfigError('not a valid postgres:// URL', {
      place: { field },
      fix: 'write it as postgres://user@host:5432/database?schema=flipgate',
    });
  }
  const shownUrl = new URL(url);
  if (shownUrl.password) shownUrl.password = '***';
  if (shownUrl.searchParams.has('password')) shownUrl.searchParams.set('password', '***');
  const shown = shownUrl.toString();
  const schema = u.searchParams.get('schema') ?? 'flipgate';
  if (!IDENT.test(schema))
    throw new ConfigError(`schema "${schema}" is not a plain lower-case identifier`, {
      place: { field },
      fix: 'use letters, digits and _ in ?schema=',
    });
  u.searchParams.delete('schema');
  return { connectionString: u.toString(), schema, shown };
}

const BATCH = 500;
const PAGE = 10_000;

// Driver messages can echo values: users see the SQLSTATE or socket code and a fixed explanation only.
export function storeError(e: unknown, target: StoreTarget, what: string, field = '--store'): ConfigError {
  if (e instanceof ConfigError) return e;
  const code = String((e as { code?: unknown }).code ?? 'error');
  const where = { field };
  const named = field === '--store' ? '--store / FLIPGATE_STORE' : field;
  const known: Record<string, [string, string]> = {
    ECONNREFUSED: ['nothing listens there', `start the server, or fix the host and port in ${named}`],
    ENOTFOUND: ['the host name does not resolve', `fix the host in ${named}`],
    ETIMEDOUT: ['the connection timed out', 'check the network path to the server'],
    '28P01': ['the password was refused', 'fix the user or password (or use PGPASSWORD / ~/.pgpass)'],
    '28000': ['the server refused this user', `check pg_hba.conf and the user in ${field}`],
    '3D000': ['the database does not exist', `create it, or fix the database name in ${field}`],
    '42501': [
      'this role lacks a privilege the store needs',
      `have the owner create the store once, then grant: ${grantStatements(target.schema, 'ROLE').join('; ')}`,
    ],
    '55P03': ['another flipgate held the workflow lock too long', 'wait for it to finish and retry'],
    '23505': ['another writer appended the same event number (the lock was lost)', 'run the command again, then flipgate audit verify'],
    '23514': [
      'the database refused the event: it does not continue the ledger (its number, prev hash, hash or canonical text)',
      'run flipgate audit verify; another program may write this table',
    ],
    '57P01': ['the server ended the connection', 'run the command again'],
  };
  const [why, fix] = known[code] ?? ['the server reported an error', 'check the server log; run the command again'];
  const writing = what.startsWith('append') || what.startsWith('lock');
  return new ConfigError(`cannot ${what} at ${target.shown}: ${why} (${code})${writing ? '; nothing was recorded' : ''}`, {
    place: where,
    fix,
  });
}

export async function connect(target: StoreTarget): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: target.connectionString,
    application_name: 'flipgate',
    connectionTimeoutMillis: 15_000,
  });
  client.on('error', () => undefined); // a dropped connection surfaces as the next query's error
  await client.connect();
  return client;
}

/** Appends the events `seal` makes from the ledger's last event; returns them as stored. */
type Write = (seal: (last: LedgerEvent | undefined) => LedgerEvent[]) => Promise<LedgerEvent[]>;

interface Row {
  body: string;
}

/**
 * The team store: events in `<schema>.events` (append-only: REVOKE plus triggers; every row checked by
 * the database to continue the chain), each append committed at once; `transact` holds a
 * transaction-scoped advisory lock on a second connection for its whole read-decide-append, so
 * workflow updates from any number of processes run one at a time. The derived view is one row of
 * `<schema>.views`. On the embedded PGlite (one shared session) one connection and one transaction do both.
 */
export class PostgresStore implements WorkflowStore {
  readonly location: string;
  readonly viewLocation: string;
  readonly signing: { keyId: string } | undefined;
  private readonly sign: Signer | undefined;
  private readonly viewKey: KeyObject | undefined;
  private readonly table: string;
  private readonly views: string;
  private lockClient: pg.Client | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly target: StoreTarget,
    private readonly workflow: string,
    private readonly data: pg.Client,
    private readonly embedded: boolean,
    opts: StoreOptions,
  ) {
    this.location = target.shown;
    this.table = `${quoteIdent(target.schema)}.events`;
    this.views = `${quoteIdent(target.schema)}.views`;
    this.viewLocation = `${target.schema}.views (${workflow}) at ${target.shown}`;
    this.sign = opts.signingKey ? signerFor(opts.signingKey) : undefined;
    this.signing = this.sign ? { keyId: this.sign.keyId } : undefined;
    this.viewKey = opts.verifyKey ?? (opts.signingKey ? publicKeyOf(opts.signingKey) : undefined);
  }

  /** Connects, creates the schema on first use (versioned), migrates an older one, and checks it. */
  static async open(url: string, workflow: string, opts: StoreOptions = {}): Promise<PostgresStore> {
    const target = parseStoreUrl(url);
    let client: pg.Client | undefined;
    try {
      client = await connect(target);
      await ensureSchema(client, target.schema, target.shown);
      const v = await client.query<{ v: string }>('SELECT version() AS v');
      return new PostgresStore(target, workflow, client, /PGlite/i.test(v.rows[0]?.v ?? ''), opts);
    } catch (e) {
      await client?.end().catch(() => undefined);
      throw storeError(e, target, 'open the Postgres store');
    }
  }

  private async bodies(where = '', params: unknown[] = []): Promise<string[]> {
    const r = await this.data
      .query<Row>(`SELECT body FROM ${this.table} WHERE workflow = $1 ${where} ORDER BY seq`, [this.workflow, ...params])
      .catch((e) => {
        throw storeError(e, this.target, 'read the ledger');
      });
    return r.rows.map((row) => row.body);
  }

  async readLedger(): Promise<LedgerRead> {
    const c = collect();
    await this.scan(c);
    return c.read;
  }

  // In pages by seq, so that a long ledger is never all in memory at once.
  async scan(visitor: LedgerVisitor): Promise<void> {
    let after = 0;
    let rows = 0;
    let events = 0;
    for (;;) {
      const r = await this.data
        .query<{ seq: string; body: string }>(
          `SELECT seq, body FROM ${this.table} WHERE workflow = $1 AND seq > $2 ORDER BY seq LIMIT ${PAGE}`,
          [this.workflow, after],
        )
        .catch((e) => {
          throw storeError(e, this.target, 'read the ledger');
        });
      for (const row of r.rows) if (visitLine(visitor, row.body, ++rows, events)) events++;
      if (r.rows.length < PAGE) return;
      after = Number(r.rows[r.rows.length - 1]!.seq);
    }
  }

  async readEvents(): Promise<LedgerEvent[]> {
    return (await this.readLedger()).events;
  }

  async tail(): Promise<LedgerTail> {
    const r = await this.data
      .query<Row>(`SELECT body FROM ${this.table} WHERE workflow = $1 ORDER BY seq DESC LIMIT 1`, [this.workflow])
      .catch((e) => {
        throw storeError(e, this.target, 'read the ledger');
      });
    const body = r.rows[0]?.body;
    if (body === undefined) return { last: undefined, lastDamaged: undefined };
    const { event, damage } = parseLine(body, 0, 0);
    return { last: event, lastDamaged: damage?.problem };
  }

  async head(): Promise<Head | undefined> {
    const r = await this.data
      .query<{ seq: string; hash: string }>(`SELECT seq, hash FROM ${this.table} WHERE workflow = $1 ORDER BY seq DESC LIMIT 1`, [
        this.workflow,
      ])
      .catch((e) => {
        throw storeError(e, this.target, 'read the ledger');
      });
    const row = r.rows[0];
    return row ? { seq: Number(row.seq), hash: row.hash } : undefined;
  }

  async hashAt(seq: number): Promise<string | undefined> {
    const [body] = await this.bodies('AND seq = $2', [seq]);
    return body === undefined ? undefined : parseLine(body, 0, 0).event?.hash;
  }

  async readView(): Promise<StoredView> {
    const r = await this.data.query<Row>(`SELECT body FROM ${this.views} WHERE workflow = $1`, [this.workflow]).catch((e) => {
      throw storeError(e, this.target, 'read the view');
    });
    const body = r.rows[0]?.body;
    if (body === undefined) return { state: 'missing' };
    let raw: unknown;
    try {
      raw = JSON.parse(body);
    } catch {
      return { state: 'rejected', why: `the view ${this.viewLocation} is not JSON: it was damaged or edited` };
    }
    return openView(raw, this.workflow, this.viewLocation, this.viewKey);
  }

  /** Workflows with events in this store, with their length. */
  async workflows(): Promise<{ workflow: string; events: number }[]> {
    const r = await this.data.query<{ workflow: string; n: string }>(
      `SELECT workflow, count(*) AS n FROM ${this.table} GROUP BY workflow ORDER BY workflow`,
    );
    return r.rows.map((x) => ({ workflow: x.workflow, events: Number(x.n) }));
  }

  async transact<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.locked(async (write) =>
      fn({
        events: () => this.readEvents(),
        append: (events: NewEvent[]) =>
          events.length ? write((last) => sealEvents(last, this.workflow, events, undefined, this.sign)) : Promise.resolve([]),
        writeView: async (body) => {
          const text = JSON.stringify(sealView(this.workflow, body, this.sign));
          await this.data
            .query(
              `INSERT INTO ${this.views} (workflow, body, updated) VALUES ($1, $2, now()) ON CONFLICT (workflow) DO UPDATE SET body = EXCLUDED.body, updated = EXCLUDED.updated`,
              [this.workflow, text],
            )
            .catch((e) => {
              throw storeError(e, this.target, 'write the view');
            });
        },
      }),
    );
  }

  async importEvents(events: LedgerEvent[]): Promise<void> {
    if (!events.length) return;
    await this.locked((write) =>
      write((last) => {
        const first = events[0]!;
        if (first.prev !== (last?.hash ?? GENESIS) || first.seq !== (last?.seq ?? 0) + 1 || first.workflow !== this.workflow) {
          throw new ConfigError(
            `the events to import start at event ${first.seq} of ${first.workflow}, but this store's ledger of ${this.workflow} ends at event ${last?.seq ?? 0}`,
            { place: { field: '--to' }, fix: 'copy into an empty store, or one holding the same ledger up to where the copy starts' },
          );
        }
        return events;
      }),
    );
  }

  // One transact at a time per store object; across processes, the advisory lock.
  private locked<T>(fn: (write: Write) => Promise<T>): Promise<T> {
    const run = this.queue.then(() => this.underLock(fn));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async underLock<T>(fn: (write: Write) => Promise<T>): Promise<T> {
    const key = `flipgate:${this.target.schema}:${this.workflow}`;
    if (this.embedded) return this.underEmbeddedLock(key, fn);
    // A session lock, and every append on the lock's own connection: a writer killed while its INSERT is
    // in flight keeps the lock until the server has finished that INSERT, so the next writer always
    // reads it (with the append on another connection, the lock went first and two writers took one seq).
    let lock: pg.Client | undefined;
    try {
      this.lockClient ??= await connect(this.target);
      lock = this.lockClient;
      await lock.query(`SET lock_timeout = '120s'`);
      await lock.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key]);
    } catch (e) {
      await this.dropLockClient();
      throw storeError(e, this.target, 'lock the workflow');
    }
    const held = lock;
    const write = this.writerOn(held);
    try {
      return await fn(write);
    } finally {
      // A connection that broke took its lock with it; otherwise the lock is given back here.
      await held.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]).catch(() => this.dropLockClient());
    }
  }

  /** On the embedded PGlite (one shared session) one transaction holds the lock and the appends. */
  private async underEmbeddedLock<T>(key: string, fn: (write: Write) => Promise<T>): Promise<T> {
    const db = this.data;
    try {
      await db.query('BEGIN');
      await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [key]);
    } catch (e) {
      await db.query('ROLLBACK').catch(() => undefined);
      throw storeError(e, this.target, 'lock the workflow');
    }
    const write = this.writerOn(db);
    try {
      const result = await fn(write);
      await db.query('COMMIT');
      return result;
    } catch (e) {
      await db.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  }

  /** Appends on `db`, each batch sealed on the last event (read once, then carried along). */
  private writerOn(db: pg.Client): Write {
    let last: LedgerEvent | undefined | null = null;
    return async (seal) => {
      try {
        if (last === null) last = await this.lastEvent();
        const sealed = seal(last);
        await this.insert(sealed, db);
        last = sealed[sealed.length - 1];
        return sealed;
      } catch (e) {
        throw storeError(e, this.target, 'append to the ledger');
      }
    };
  }

  private async dropLockClient(): Promise<void> {
    const c = this.lockClient;
    this.lockClient = undefined;
    await c?.end().catch(() => undefined);
  }

  private async lastEvent(): Promise<LedgerEvent | undefined> {
    const t = await this.tail();
    if (t.lastDamaged === 'malformed')
      throw new ConfigError('the last row of the ledger is not a ledger event; nothing was recorded', {
        place: { field: '--store' },
        fix: 'run flipgate audit verify to see what is wrong',
      });
    return t.last;
  }

  // Off the embedded server each batch commits at once (several batches in one transaction of their own).
  private async insert(events: LedgerEvent[], db: pg.Client): Promise<void> {
    const own = !this.embedded && events.length > BATCH;
    if (own) await db.query('BEGIN');
    try {
      for (let i = 0; i < events.length; i += BATCH) {
        const batch = events.slice(i, i + BATCH);
        const values: unknown[] = [];
        const rows = batch.map((e, j) => {
          values.push(e.workflow, e.seq, e.hash, e.prev, e.type, e.actor, e.subject ?? null, e.time, eventText(e));
          const b = j * 9;
          return `($${b + 1},$${b + 2},$${b + 3},$${b + 4},$${b + 5},$${b + 6},$${b + 7},$${b + 8},$${b + 9})`;
        });
        await db.query(
          `INSERT INTO ${this.table} (workflow, seq, hash, prev, type, actor, subject, recorded, body) VALUES ${rows.join(',')}`,
          values,
        );
      }
      if (own) await db.query('COMMIT');
    } catch (e) {
      if (own) await db.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.queue;
    await this.lockClient?.end().catch(() => undefined);
    await this.data.end().catch(() => undefined);
  }
}

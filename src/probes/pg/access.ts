import type { ClientConfig, Pool, PoolClient, QueryConfig } from 'pg';
import { describePgError, hasSqlState } from './errors.js';

/** Names of environment variables that hold a connection; a spec never holds the secret itself. */
export interface ConnectionRef {
  /** An environment variable holding a postgres:// URL. */
  url?: string;
  /** A prefix: PREFIX_HOST, PREFIX_PORT, PREFIX_USER, PREFIX_PASSWORD, PREFIX_NAME (or PREFIX_DATABASE). */
  prefix?: string;
}

export interface ReadOnlyQuery {
  /**
   * Runs one statement through the extended query protocol (Parse/Bind/Execute), which the server
   * refuses for a text holding several statements: `commit; create table …` cannot escape the
   * read-only transaction.
   */
  query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[]; rowCount: number }>;
}

/** Read-only Postgres access as the probes see it. */
export interface PostgresAccess {
  /** Runs `fn` in a READ ONLY transaction with statement, lock and connect timeouts; always rolls back. */
  readOnly<T>(
    conn: ConnectionRef | undefined,
    opts: { timeoutMs: number; signal: AbortSignal },
    fn: (q: ReadOnlyQuery) => Promise<T>,
  ): Promise<T>;
  close(): Promise<void>;
}

export class PostgresUnavailable extends Error {}

/** The connection's target without its password, for evidence. */
export function describeTarget(cfg: ClientConfig): string {
  if (cfg.connectionString) {
    try {
      const u = new URL(cfg.connectionString);
      return `${u.hostname || 'socket'}:${u.port || 5432}/${u.pathname.slice(1) || u.username || 'default'}`;
    } catch {
      return 'the configured URL';
    }
  }
  return `${cfg.host ?? 'localhost'}:${cfg.port ?? 5432}/${cfg.database ?? cfg.user ?? 'default'}`;
}

/** A connection URL must be a postgres:// or postgresql:// URL; the message never repeats the value (it may hold a password). */
function checkedUrl(url: string, name: string): string {
  let ok = false;
  try {
    const u = new URL(url);
    ok = u.protocol === 'postgres:' || u.protocol === 'postgresql:';
  } catch {
    ok = false;
  }
  if (!ok)
    throw new PostgresUnavailable(`environment variable ${name} does not hold a postgres:// URL (like postgres://user@host:5432/db)`);
  return url;
}

export function resolveConnection(ref: ConnectionRef | undefined, env: NodeJS.ProcessEnv): ClientConfig {
  if (ref?.url) {
    const url = env[ref.url];
    if (!url) throw new PostgresUnavailable(`environment variable ${ref.url} is not set`);
    return { connectionString: checkedUrl(url, ref.url) };
  }
  if (ref?.prefix) {
    const get = (k: string) => env[`${ref.prefix}${k}`];
    if (!get('HOST') && !get('NAME') && !get('DATABASE'))
      throw new PostgresUnavailable(`no ${ref.prefix}HOST / ${ref.prefix}NAME in the environment`);
    return {
      host: get('HOST'),
      port: get('PORT') ? Number(get('PORT')) : undefined,
      user: get('USER'),
      password: get('PASSWORD'),
      database: get('NAME') ?? get('DATABASE'),
    };
  }
  if (env.DATABASE_URL) return { connectionString: checkedUrl(env.DATABASE_URL, 'DATABASE_URL') };
  return {
    host: env.PGHOST,
    port: env.PGPORT ? Number(env.PGPORT) : undefined,
    user: env.PGUSER,
    password: env.PGPASSWORD,
    database: env.PGDATABASE,
  };
}

/**
 * One pool per distinct connection. `maxConnections: 1` suits an embedded single-session server
 * (PGlite), where concurrent transactions would share one session.
 */
export function createPostgresAccess(opts: {
  env: NodeJS.ProcessEnv;
  maxConnections?: number;
  /** Where a connection really goes: a remote target's database is reached through its SSH connection (see src/remote/pg-route.ts). */
  route?: (cfg: ClientConfig) => Promise<ClientConfig>;
}): PostgresAccess {
  // The promise is kept, not the pool: checks that start together must share one pool (and its limit).
  const pools = new Map<string, Promise<Pool>>();
  const max = opts.maxConnections ?? 4;

  function poolFor(cfg: ClientConfig, timeoutMs: number): Promise<Pool> {
    const key = JSON.stringify(cfg);
    let pool = pools.get(key);
    if (!pool) {
      pool = import('pg').then(async ({ default: pg }) => {
        let routed = cfg;
        try {
          if (opts.route) routed = await opts.route(cfg);
        } catch (e) {
          throw new PostgresUnavailable(
            `cannot reach the target's Postgres at ${describeTarget(cfg)}: ${e instanceof Error ? e.message : String(e)}`,
          );
        }
        const p = new pg.Pool({
          ...routed,
          max,
          connectionTimeoutMillis: Math.max(500, Math.min(timeoutMs, 10_000)),
          idleTimeoutMillis: 1000,
          allowExitOnIdle: true,
          application_name: 'flipgate',
        });
        p.on('error', () => {
          // An idle client lost its server; the next checkout reconnects or reports the error.
        });
        return p;
      });
      pools.set(key, pool);
    }
    return pool;
  }

  return {
    async readOnly(ref, { timeoutMs, signal }, fn) {
      const cfg = resolveConnection(ref, opts.env);
      const target = describeTarget(cfg);
      let client: PoolClient;
      try {
        client = await (await poolFor(cfg, timeoutMs)).connect();
      } catch (e) {
        throw e instanceof PostgresUnavailable ? e : new PostgresUnavailable(describePgError(e, target));
      }
      // A checked-out client has no 'error' listener of the pool's: without this one, a server that
      // drops the connection mid-query (a restart, pg_terminate_backend) would crash the process.
      let lost: unknown;
      const onError = (e: unknown) => {
        lost ??= e;
      };
      client.on('error', onError);
      let released = false;
      const release = (destroy: boolean) => {
        if (released) return;
        released = true;
        client.off('error', onError);
        client.release(destroy ? new Error('discarded') : undefined);
        // A server that stopped answering would keep the socket (and the CLI) waiting for its goodbye.
        if (destroy) (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
      };
      // At the check's deadline the connection is dropped, so that no query outlives its check.
      const onAbort = () => release(true);
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        const ms = Math.max(1, Math.floor(timeoutMs));
        // One round trip: a check on a nearby server is mostly round trips.
        await client.query(`BEGIN READ ONLY; SET LOCAL statement_timeout = ${ms}; SET LOCAL lock_timeout = ${ms}`);
        return await fn({
          query: async (sql, params) => {
            if (released) throw new PostgresUnavailable(`no answer within ${timeoutMs} ms; the connection was dropped (${target})`);
            const config: QueryConfig & { queryMode: 'extended' } = {
              text: sql,
              values: (params as unknown[] | undefined) ?? [],
              queryMode: 'extended',
            };
            const r = await client.query(config);
            return { rows: r.rows as Record<string, unknown>[], rowCount: r.rowCount ?? r.rows.length };
          },
        });
      } catch (e) {
        if (e instanceof PostgresUnavailable) throw e;
        if (signal.aborted && released)
          throw new PostgresUnavailable(`no answer within ${timeoutMs} ms; the connection was dropped (${target})`);
        throw new PostgresUnavailable(describePgError(lost && !hasSqlState(e) ? lost : e, target));
      } finally {
        signal.removeEventListener('abort', onAbort);
        let broken = released || lost !== undefined;
        if (!broken) {
          try {
            await client.query('ROLLBACK');
          } catch {
            broken = true;
          }
        }
        release(broken);
      }
    },
    async close() {
      const all = [...pools.values()];
      pools.clear();
      await Promise.allSettled(all.map(async (p) => (await p).end()));
    },
  };
}

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

/** A Postgres place of a test's own: a database on a real server, a schema on the embedded one. */
export interface TestDatabase {
  kind: 'server' | 'embedded';
  /** PG* variables for probes (and FLIPGATE_PG_MAX_CONNECTIONS=1 on the embedded one). */
  env: Record<string, string>;
  /** A unique prefix for cluster-wide names (roles). */
  prefix: string;
  /** The schema the test may use (its own on the embedded server, `public` of its own database otherwise). */
  schema: string;
  /** An admin client on the test's database. */
  admin: pg.Client;
  drop(): Promise<void>;
}

export const realServer = (): boolean => !!(process.env.PGHOST || process.env.DATABASE_URL);
export const noServerReason = 'needs a real Postgres server (set PGHOST or DATABASE_URL); the embedded PGlite is one shared session';

function serverBase(): pg.ClientConfig {
  if (process.env.DATABASE_URL) return { connectionString: process.env.DATABASE_URL };
  return {
    host: process.env.PGHOST,
    port: Number(process.env.PGPORT ?? 5432),
    user: process.env.PGUSER ?? 'postgres',
    password: process.env.PGPASSWORD,
    database: process.env.PGDATABASE ?? 'postgres',
  };
}

/** Connection settings of the server under test (for code that opens its own connections). */
export function serverEnv(database: string): Record<string, string> {
  const base = serverBase();
  if (base.connectionString) {
    const u = new URL(base.connectionString);
    u.pathname = `/${database}`;
    return { DATABASE_URL: u.toString() };
  }
  return {
    PGHOST: String(base.host),
    PGPORT: String(base.port),
    PGUSER: String(base.user),
    PGDATABASE: database,
    ...(base.password ? { PGPASSWORD: String(base.password) } : {}),
  };
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const id = `fg_${randomBytes(5).toString('hex')}`;
  const embedded = inject('embeddedPg');
  if (!embedded) {
    const root = new pg.Client(serverBase());
    await root.connect();
    await root.query(`CREATE DATABASE ${id}`);
    await root.end();
    const env = serverEnv(id);
    const admin = new pg.Client(env.DATABASE_URL ? { connectionString: env.DATABASE_URL } : { ...serverBase(), database: id });
    await admin.connect();
    await admin.query('CREATE SCHEMA cutter_governance');
    return {
      kind: 'server',
      env: { ...env, PGDATABASE: id },
      prefix: `${id}_`,
      schema: 'cutter_governance',
      admin,
      async drop() {
        await admin.end().catch(() => undefined);
        const r = new pg.Client(serverBase());
        await r.connect();
        await r.query(`DROP DATABASE IF EXISTS ${id} WITH (FORCE)`);
        const roles = await r.query(`SELECT rolname FROM pg_roles WHERE rolname LIKE $1`, [`${id}\\_%`]);
        for (const row of roles.rows) await r.query(`DROP ROLE IF EXISTS "${row.rolname}"`);
        await r.end();
      },
    };
  }
  const env = {
    PGHOST: embedded.host,
    PGPORT: String(embedded.port),
    PGUSER: 'postgres',
    PGDATABASE: 'postgres',
    FLIPGATE_PG_MAX_CONNECTIONS: '1',
  };
  const admin = new pg.Client({ host: embedded.host, port: embedded.port, user: 'postgres', database: 'postgres' });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${id}`);
  return {
    kind: 'embedded',
    env,
    prefix: `${id}_`,
    schema: id,
    admin,
    async drop() {
      await admin.query(`DROP SCHEMA IF EXISTS ${id} CASCADE`).catch(() => undefined);
      const roles = await admin
        .query(`SELECT rolname FROM pg_roles WHERE rolname LIKE $1`, [`${id}\\_%`])
        .catch(() => ({ rows: [] as { rolname: string }[] }));
      for (const row of roles.rows) await admin.query(`DROP ROLE IF EXISTS "${row.rolname}"`).catch(() => undefined);
      await admin.end().catch(() => undefined);
    },
  };
}

/**
 * Terminates the backend whose running query holds `marker` (as a quoted literal), waiting up to
 * `tries` × 50 ms for it to start; returns how many backends were terminated.
 */
export async function terminateQueryWith(admin: pg.Client, marker: string, tries = 100): Promise<number> {
  let killed = 0;
  for (let i = 0; i < tries && !killed; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const k = await admin.query<{ ok: boolean }>(
      `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE query LIKE $1 AND pid <> pg_backend_pid()`,
      [`%'${marker}'%`],
    );
    killed = k.rows.filter((row) => row.ok).length;
  }
  return killed;
}

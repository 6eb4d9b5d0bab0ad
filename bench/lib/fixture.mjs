// Builds what the benchmarks survey: a Postgres place of their own (the real server on
// 127.0.0.1:5432 when one answers, else the embedded PGlite) and the O8 seed-state host.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { tsImport } from 'tsx/esm/api';
import { repo } from './paths.mjs';

export { repo };
export const o8Workflow = path.join(repo, 'machines', 'o8-production-readiness.yaml');

/** Imports a TypeScript module of the source tree (fixture building only; what is measured is dist/). */
export const importSource = (rel) => tsImport(path.join(repo, rel), import.meta.url);

// The server the PG* variables name, else the usual local one.
const serverConfig = () => ({
  host: process.env.PGHOST || '127.0.0.1',
  port: Number(process.env.PGPORT || 5432),
  user: process.env.PGUSER || 'postgres',
  password: process.env.PGPASSWORD,
  database: 'postgres',
  connectionTimeoutMillis: 1500,
});

/** The server's version when the Postgres server the PG* variables name (else 127.0.0.1:5432) answers. */
export async function serverAnswers() {
  const c = new pg.Client(serverConfig());
  try {
    await c.connect();
    const r = await c.query('SHOW server_version');
    await c.end();
    return r.rows[0].server_version;
  } catch {
    await c.end().catch(() => undefined);
    return undefined;
  }
}

/**
 * A database of the bench's own: a fresh database on the real server, or a schema on an embedded
 * PGlite when no server answers. `env` points the pg client (and so every probe) at it.
 */
export async function openBenchDatabase() {
  const id = `fgbench_${randomBytes(4).toString('hex')}`;
  const version = await serverAnswers();
  if (version) {
    const base = serverConfig();
    const root = new pg.Client(base);
    await root.connect();
    await root.query(`CREATE DATABASE ${id}`);
    await root.end();
    const admin = new pg.Client({ ...base, database: id });
    await admin.connect();
    return {
      kind: 'server',
      label: `a PostgreSQL ${version.split(' ')[0]} server at ${base.host}:${base.port}`,
      env: { PGHOST: base.host, PGPORT: String(base.port), PGUSER: base.user, PGDATABASE: id, PGSSLMODE: 'disable' },
      prefix: `${id}_`,
      schema: 'cutter_governance',
      admin,
      async drop() {
        await admin.end().catch(() => undefined);
        const r = new pg.Client(base);
        await r.connect();
        await r.query(`DROP DATABASE IF EXISTS ${id} WITH (FORCE)`);
        const roles = await r.query('SELECT rolname FROM pg_roles WHERE rolname LIKE $1', [`${id}\\_%`]);
        for (const row of roles.rows) await r.query(`DROP ROLE IF EXISTS "${row.rolname}"`);
        await r.end();
      },
    };
  }
  const { startEmbeddedPostgres } = await importSource('src/demo/embedded-pg.ts');
  const server = await startEmbeddedPostgres();
  const admin = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: 'postgres' });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${id}`);
  return {
    kind: 'embedded',
    label: `the embedded PGlite (no server answered at ${serverConfig().host}:${serverConfig().port})`,
    env: server.env,
    prefix: `${id}_`,
    schema: id,
    admin,
    async drop() {
      await admin.end().catch(() => undefined);
      await server.stop();
    },
  };
}

/** The O8 seed-state host under a temp root, with its roles and schema in the bench database. */
export async function buildSeed(db) {
  const { buildSeedHost } = await importSource('src/demo/seed-host.ts');
  const root = await mkdtemp(path.join(tmpdir(), 'flipgate-bench-host-'));
  const host = await buildSeedHost({ root, sql: db.admin, rolePrefix: db.prefix, schema: db.schema });
  const env = { ...process.env, ...db.env, ...host.vars, NO_COLOR: '1' };
  return {
    root,
    host,
    env,
    async cleanup() {
      await host.dropDatabaseObjects().catch(() => undefined);
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** The O8 workflow as flipgate resolves it for this host (for generating the bash and Testinfra suites). */
export async function loadResolved(file, env) {
  const { loadWorkflow } = await importSource('src/spec/load.ts');
  return loadWorkflow(file, { env });
}

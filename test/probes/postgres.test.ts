import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, noServerReason, realServer, type TestDatabase } from '../support/pg.js';
import { probe } from '../support/probe.js';

describe('postgres checks (a real server when PGHOST is set, else the embedded one)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await db.admin.query(`CREATE ROLE "${db.prefix}exec" LOGIN`);
    await db.admin.query(`CREATE TABLE "${db.schema}".decisions (id int, secret text)`);
    await db.admin.query(`INSERT INTO "${db.schema}".decisions VALUES (1, 'zz-secret-zz'), (2, 'zz-secret-zz')`);
  });
  afterAll(() => db.drop());
  const env = () => ({ ...process.env, ...db.env });

  it('postgres.role: passes for present roles and names the absent ones', async () => {
    expect((await probe('postgres.role', { names: [`${db.prefix}exec`] }, { env: env() })).status).toBe('pass');
    const r = await probe('postgres.role', { names: [`${db.prefix}exec`, `${db.prefix}nobody`] }, { env: env() });
    expect(r).toMatchObject({ status: 'fail', observed: { missing: [`${db.prefix}nobody`] } });
  });

  it('postgres.schema: checks the schema and its tables from the catalog', async () => {
    expect((await probe('postgres.schema', { name: db.schema, tables: ['decisions'] }, { env: env() })).status).toBe('pass');
    const r = await probe('postgres.schema', { name: db.schema, tables: ['decisions', 'verify_result'] }, { env: env() });
    expect(r.evidence).toBe(`schema ${db.schema} lacks verify_result`);
    expect((await probe('postgres.schema', { name: `${db.schema}_none` }, { env: env() })).status).toBe('fail');
  });

  it('postgres.query: counts rows, keeping no row value', async () => {
    const sql = `SELECT * FROM "${db.schema}".decisions`;
    const r = await probe('postgres.query', { sql, expect: { rows: 2 } }, { env: env() });
    expect(r).toMatchObject({ status: 'pass', observed: { rows: 2 } });
    expect(JSON.stringify(r)).not.toContain('zz-secret-zz');
    expect((await probe('postgres.query', { sql, expect: { minRows: 3 } }, { env: env() })).status).toBe('fail');
  });

  it('runs read-only: a write is refused and reported by code only', async () => {
    const r = await probe('postgres.query', { sql: `INSERT INTO "${db.schema}".decisions VALUES (3, 'x') RETURNING 1`, expect: { rows: 1 } }, { env: env() });
    expect(r.status).toBe('error');
    expect(r.evidence).toMatch(/25006 read_only_sql_transaction/);
    const count = await db.admin.query(`SELECT count(*)::int AS n FROM "${db.schema}".decisions`);
    expect(count.rows[0].n).toBe(2);
  });

  it('reduces a failing query to its SQLSTATE: a cast error never echoes the value', async () => {
    const r = await probe('postgres.query', { sql: `SELECT secret::int FROM "${db.schema}".decisions`, expect: { rows: 2 } }, { env: env() });
    expect(r.status).toBe('error');
    expect(r.evidence).toMatch(/^Postgres error 22P02/);
    expect(JSON.stringify(r)).not.toContain('zz-secret-zz');
  });

  it.skipIf(!realServer())(`stops a slow query at the check timeout (statement_timeout) — ${realServer() ? 'real server' : `skipped: ${noServerReason}`}`, async () => {
    const r = await probe('postgres.query', { sql: 'SELECT pg_sleep(5)', expect: { rows: 1 } }, { env: env(), timeoutMs: 300 });
    expect(r.status).toBe('error');
    expect(r.evidence).toMatch(/57014|timeout/);
  });

  it('errors, never passes, when the server is unreachable', async () => {
    const r = await probe('postgres.role', { names: ['postgres'] }, { env: { PGHOST: '127.0.0.1', PGPORT: '1', PGUSER: 'postgres' } });
    expect(r.status).toBe('error');
    expect(r.evidence).toMatch(/connection refused/);
  });

  it('takes its connection from environment variables the check names, never from inline secrets', async () => {
    const url = db.env.DATABASE_URL ?? `postgres://${db.env.PGUSER}@${db.env.PGHOST}:${db.env.PGPORT}/${db.env.PGDATABASE}`;
    const r = await probe('postgres.role', { names: [`${db.prefix}exec`], connection: { url: 'MY_GOV_URL' } }, { env: { MY_GOV_URL: url, FLIPGATE_PG_MAX_CONNECTIONS: '1' } });
    expect(r.status).toBe('pass');
    const missing = await probe('postgres.role', { names: ['x'], connection: { url: 'UNSET_VAR' } }, { env: {} });
    expect(missing).toMatchObject({ status: 'error', evidence: 'environment variable UNSET_VAR is not set' });
  });
});

describe('approval', () => {
  const signoffs = [
    { principal: 'alice', time: 't' },
    { principal: 'bob', time: 't' },
    { principal: 'mallory', time: 't' },
  ];
  it('counts distinct allowed principals and excludes the requester', async () => {
    expect((await probe('approval', { min: 2 }, { signoffs })).status).toBe('pass');
    expect((await probe('approval', { min: 2, principals: ['alice', 'carol'] }, { signoffs })).status).toBe('fail');
    const r = await probe('approval', { min: 2, principals: ['alice', 'bob'] }, { signoffs, excludedPrincipals: ['bob'] });
    expect(r.status).toBe('fail');
    expect(r.evidence).toMatch(/not counted: bob \(the requester\)/);
  });
  it('fails with no sign-offs', async () => {
    expect((await probe('approval', { min: 1 })).evidence).toBe('0 of 1 approval(s)');
  });
});

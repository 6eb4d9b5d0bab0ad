import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, noServerReason, realServer, type TestDatabase, terminateQueryWith } from '../support/pg.js';
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
    const r = await probe(
      'postgres.query',
      { sql: `INSERT INTO "${db.schema}".decisions VALUES (3, 'x') RETURNING 1`, expect: { rows: 1 } },
      { env: env() },
    );
    expect(r.status).toBe('error');
    expect(r.evidence).toMatch(/25006 read_only_sql_transaction/);
    const count = await db.admin.query(`SELECT count(*)::int AS n FROM "${db.schema}".decisions`);
    expect(count.rows[0].n).toBe(2);
  });

  it('reduces a failing query to its SQLSTATE and its name: a cast error never echoes the value', async () => {
    const r = await probe(
      'postgres.query',
      { sql: `SELECT secret::int FROM "${db.schema}".decisions`, expect: { rows: 2 } },
      { env: env() },
    );
    expect(r.status).toBe('error');
    expect(r.evidence).toMatch(/^Postgres error 22P02 invalid_text_representation \(/);
    expect(JSON.stringify(r)).not.toContain('zz-secret-zz');
    const byZero = await probe('postgres.query', { sql: 'SELECT 1/0', expect: { rows: 1 } }, { env: env() });
    expect(byZero.evidence).toMatch(/^Postgres error 22012 division_by_zero/);
  });

  it('runs exactly one statement: "commit; create table …; insert …" is refused and the database is unchanged', async () => {
    const t = `"${db.schema}".escaped_${db.prefix.replace(/\W/g, '')}`;
    const sql = `commit; create table ${t} (x int); insert into ${t} values (1); select 1`;
    const r = await probe('postgres.query', { sql, expect: { rows: 1 } }, { env: env() });
    expect(r.status).toBe('error');
    expect(r.evidence).toMatch(/^Postgres error 42601: the query holds more than one statement; postgres.query runs exactly one \(/);
    const exists = await db.admin.query(`SELECT to_regclass($1) AS t`, [t]);
    expect(exists.rows[0].t).toBeNull();
    const count = await db.admin.query(`SELECT count(*)::int AS n FROM "${db.schema}".decisions`);
    expect(count.rows[0].n).toBe(2);
  });

  it('says which environment variable holds something that is not a postgres:// URL, without its value', async () => {
    const r = await probe(
      'postgres.role',
      { names: ['x'], connection: { url: 'BILLING_DB_URL' } },
      { env: { BILLING_DB_URL: 'not a url with s3cret' } },
    );
    expect(r).toMatchObject({
      status: 'error',
      evidence: 'environment variable BILLING_DB_URL does not hold a postgres:// URL (like postgres://user@host:5432/db)',
    });
  });

  it('errors, never crashes, when the other end does not speak Postgres (a protocol error)', async () => {
    const net = await import('node:net');
    const server = net.createServer((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const r = await probe(
        'postgres.role',
        { names: ['x'] },
        { env: { PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: 'postgres' }, timeoutMs: 3000 },
      );
      expect(r.status).toBe('error');
      expect(r.evidence).toContain(`(127.0.0.1:${port}/`);
    } finally {
      server.close();
    }
  });

  it.skipIf(!realServer())(
    `stops a slow query at the check timeout (statement_timeout) — ${realServer() ? 'real server' : `skipped: ${noServerReason}`}`,
    async () => {
      const r = await probe('postgres.query', { sql: 'SELECT pg_sleep(5)', expect: { rows: 1 } }, { env: env(), timeoutMs: 300 });
      expect(r.status).toBe('error');
      expect(r.evidence).toMatch(/57014|timeout/);
    },
  );

  it.skipIf(!realServer())(
    `errors naming the target, never crashes, when the backend is terminated mid-query (pg_terminate_backend) — ${realServer() ? 'real server' : `skipped: ${noServerReason}`}`,
    async () => {
      const marker = `fg_term_${db.prefix}`;
      const pending = probe(
        'postgres.query',
        { sql: `SELECT pg_sleep(20), '${marker}'`, expect: { rows: 1 } },
        { env: env(), timeoutMs: 30_000 },
      );
      const killed = await terminateQueryWith(db.admin, marker);
      expect(killed).toBe(1);
      const r = await pending;
      expect(r.status).toBe('error');
      expect(r.evidence).toMatch(/^Postgres error 57P01 admin_shutdown \(the server ended the connection\) \(127\.0\.0\.1:\d+\/fg_/);
    },
  );

  it.skipIf(!realServer())(
    `drops the connection at the check's deadline when the server stops answering (a frozen backend) — ${realServer() ? 'real server' : `skipped: ${noServerReason}`}`,
    async () => {
      const { runOneCheck } = await import('../../src/runner/engine/run-checks.js');
      const { localHost } = await import('../../src/probes/support/local-host.js');
      const { createPostgresAccess } = await import('../../src/probes/pg/access.js');
      const marker = `fg_frozen_${db.prefix}`;
      const postgres = createPostgresAccess({ env: env(), maxConnections: 1 });
      const check = {
        id: 'q',
        kind: 'postgres.query',
        sql: `SELECT pg_sleep(0.3), '${marker}'`,
        expect: { rows: 1 },
        timeoutMs: 1500,
      } as never;
      const run = runOneCheck(
        { ref: 's/q', owner: { kind: 'section', id: 's' }, check },
        { concurrency: 1, timeoutMs: 1500, context: { host: localHost('/'), env: env(), postgres }, signoffsFor: () => [] },
      );
      let pid = 0;
      for (let i = 0; i < 100 && !pid; i++) {
        await new Promise((r) => setTimeout(r, 20));
        const rows = await db.admin.query(`SELECT pid FROM pg_stat_activity WHERE query LIKE $1 AND pid <> pg_backend_pid()`, [
          `%'${marker}'%`,
        ]);
        pid = rows.rows[0]?.pid ?? 0;
      }
      expect(pid).toBeGreaterThan(0);
      process.kill(pid, 'SIGSTOP'); // the backend neither answers nor runs its statement_timeout
      try {
        const t0 = performance.now();
        const r = await run;
        expect(r.status).toBe('error');
        expect(r.evidence).toMatch(/^no answer within 1500 ms; the connection was dropped \(127\.0\.0\.1:\d+\/fg_/);
        const closing = performance.now();
        await postgres.close();
        expect(performance.now() - closing).toBeLessThan(1000);
        expect(performance.now() - t0).toBeLessThan(3000);
      } finally {
        process.kill(pid, 'SIGCONT');
        await db.admin.query('SELECT pg_terminate_backend($1)', [pid]).catch(() => undefined);
      }
    },
  );

  it('errors, never passes, when the server is unreachable', async () => {
    const r = await probe('postgres.role', { names: ['postgres'] }, { env: { PGHOST: '127.0.0.1', PGPORT: '1', PGUSER: 'postgres' } });
    expect(r.status).toBe('error');
    expect(r.evidence).toMatch(/connection refused/);
  });

  it('takes its connection from environment variables the check names, never from inline secrets', async () => {
    const url = db.env.DATABASE_URL ?? `postgres://${db.env.PGUSER}@${db.env.PGHOST}:${db.env.PGPORT}/${db.env.PGDATABASE}`;
    const r = await probe(
      'postgres.role',
      { names: [`${db.prefix}exec`], connection: { url: 'MY_GOV_URL' } },
      { env: { MY_GOV_URL: url, FLIPGATE_PG_MAX_CONNECTIONS: '1' } },
    );
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

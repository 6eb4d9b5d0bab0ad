import { generateKeyPairSync } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Refusal } from '../../src/errors.js';
import { disableWorkflow } from '../../src/runner/actions/disable.js';
import { runSurvey } from '../../src/runner/actions/survey-advance.js';
import { eventText, sealEvents } from '../../src/store/chain.js';
import { openStore } from '../../src/store/open.js';
import { SCHEMA_VERSION } from '../../src/store/postgres-schema.js';
import type { LedgerEvent, NewEvent } from '../../src/store/types.js';
import { verifyLedger } from '../../src/store/verify.js';
import { createTestDatabase, realServer, type TestDatabase } from '../support/pg.js';
import { type SeededWorkflow, seededPostgresReason, seededWorkflow } from './support/seeded.js';
import { pgStoreUrl } from './support/stores.js';

const ev = (i: number): NewEvent => ({ type: 'test.write', actor: 'tester', cause: { kind: 'operator', command: 'test' }, data: { i } });

describe('appends to the Postgres store, checked by the database', () => {
  let db: TestDatabase;
  let url: string;
  let schema: string;
  let role: string;
  let asRole: pg.Client;
  const signer = generateKeyPairSync('ed25519');

  beforeAll(async () => {
    db = await createTestDatabase();
    url = pgStoreUrl(db);
    schema = new URL(url).searchParams.get('schema')!;
    const store = await openStore(url, 'wf', { signingKey: signer.privateKey, env: {} });
    for (let i = 1; i <= 3; i++) await store.transact((tx) => tx.append([ev(i)]));
    await store.close();
    // A real role that may only INSERT into the ledger (no SELECT, no UPDATE): the weakest writer there is.
    role = `${db.prefix}insert_only`;
    await db.admin.query(`CREATE ROLE "${role}" LOGIN`);
    await db.admin.query(`GRANT USAGE ON SCHEMA "${schema}" TO "${role}"`);
    await db.admin.query(`GRANT INSERT ON "${schema}".events TO "${role}"`);
    if (db.kind === 'server') {
      asRole = new pg.Client({ host: db.env.PGHOST, port: Number(db.env.PGPORT ?? 5432), database: db.env.PGDATABASE, user: role });
      await asRole.connect();
    } else {
      // The embedded server is one session: the admin client takes the role for the duration.
      asRole = db.admin;
    }
  });
  afterAll(async () => {
    if (asRole && asRole !== db.admin) await asRole.end();
    await db?.drop(); // drops the role too (it carries the test's prefix)
  });

  async function insertAsRole(row: {
    seq: number;
    hash: string;
    prev: string;
    type?: string;
    actor?: string;
    subject?: string;
    time?: string;
    body: string;
  }): Promise<{ code?: string }> {
    if (asRole === db.admin) await db.admin.query(`SET ROLE "${role}"`);
    try {
      await asRole.query(
        `INSERT INTO "${schema}".events (workflow, seq, hash, prev, type, actor, subject, recorded, body) VALUES ('wf', $1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          row.seq,
          row.hash,
          row.prev,
          row.type ?? 'test.write',
          row.actor ?? 'tester',
          row.subject ?? null,
          row.time ?? new Date().toISOString(),
          row.body,
        ],
      );
      return {};
    } catch (e) {
      return { code: (e as { code?: string }).code };
    } finally {
      if (asRole === db.admin) await db.admin.query('RESET ROLE');
    }
  }

  const rows = async () => Number((await db.admin.query(`SELECT count(*) AS n FROM "${schema}".events WHERE workflow = 'wf'`)).rows[0].n);
  const tail = async (): Promise<LedgerEvent> =>
    JSON.parse((await db.admin.query(`SELECT body FROM "${schema}".events WHERE workflow = 'wf' ORDER BY seq DESC LIMIT 1`)).rows[0].body);
  const rowOf = (e: LedgerEvent, body = eventText(e)) => ({
    seq: e.seq,
    hash: e.hash,
    prev: e.prev,
    type: e.type,
    actor: e.actor,
    subject: e.subject,
    time: e.time,
    body,
  });

  it('refuses every kind of garbage and every broken link from a role that can only INSERT', async () => {
    const last = await tail();
    const [next] = sealEvents(last, 'wf', [
      { type: 'test.write', actor: 'bob', cause: { kind: 'operator', command: 'forged' }, data: { i: 4 } },
    ]);
    const good = rowOf(next!);
    const attempts: [string, Parameters<typeof insertAsRole>[0]][] = [
      ['text that is not JSON', { ...good, body: 'not json' }],
      ['an empty object', { ...good, body: '{}' }],
      ['a duplicate key', { ...good, body: good.body.replace('{"actor":"bob",', '{"actor":"mallory","actor":"bob",') }],
      ['spaces', { ...good, body: good.body.replace(/","/g, '", "') }],
      ['a number written as 4.0', { ...good, body: good.body.replace('"i":4', '"i":4.0') }],
      ['a body whose hash is not its SHA-256', { ...good, body: good.body.replace('"forged"', '"Forged"') }],
      ['columns that differ from the body', { ...good, actor: 'mallory' }],
      ['a gap in the numbers', rowOf(sealEvents({ ...last, seq: last.seq + 1 }, 'wf', [ev(9)])[0]!)],
      ['a prev hash that is not the last hash', rowOf(sealEvents({ ...last, hash: 'a'.repeat(64) }, 'wf', [ev(9)])[0]!)],
      ['a second event 3', rowOf(sealEvents({ seq: 2, hash: last.prev }, 'wf', [ev(9)])[0]!)],
    ];
    const before = await rows();
    for (const [what, row] of attempts) {
      const r = await insertAsRole(row);
      expect(r.code, what).toBeDefined();
      expect(['23514', '22P02', '23505'], `${what}: ${r.code}`).toContain(r.code);
    }
    expect(await rows()).toBe(before);
    // Every attempt left the ledger as it was: it still verifies, signatures and all.
    const store = await openStore(url, 'wf', { signingKey: signer.privateKey, env: {} });
    try {
      expect(verifyLedger(await store.readLedger(), { publicKey: signer.publicKey }).ok).toBe(true);
      await store.transact((tx) => tx.append([ev(4)]));
      expect(verifyLedger(await store.readLedger(), { publicKey: signer.publicKey }).ok).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('accepts a well-formed forged event from that role, which only the signatures reveal', async () => {
    const last = await tail();
    const [forged] = sealEvents(last, 'wf', [
      {
        type: 'approval.granted',
        actor: 'mallory',
        subject: 'GAP-7',
        cause: { kind: 'approval', principal: 'mallory' },
        data: { head: last.hash, headSeq: last.seq },
      },
    ]);
    expect(await insertAsRole(rowOf(forged!))).toEqual({});
    const store = await openStore(url, 'wf', { env: {} });
    try {
      const read = await store.readLedger();
      expect(verifyLedger(read).ok).toBe(true);
      expect(verifyLedger(read, { publicKey: signer.publicKey }).problem).toMatchObject({ seq: forged!.seq, problem: 'unsigned' });
    } finally {
      await store.close();
    }
  });

  it('migrates a version 1 store: the check is added, the rows stay', async () => {
    const old = `${url.split('?')[0]}?schema=${db.kind === 'embedded' ? `${db.schema}_v1` : 'v1'}`;
    const s1 = new URL(old).searchParams.get('schema')!;
    const first = await openStore(old, 'wf', { env: {} });
    await first.transact((tx) => tx.append([ev(1)]));
    await first.close();
    // Back to version 1 as an older flipgate left it: no append check, no views.
    await db.admin.query(`DROP TRIGGER events_check_append ON "${s1}".events`);
    await db.admin.query(`DROP TABLE "${s1}".views`);
    await db.admin.query(`UPDATE "${s1}".store_meta SET value = '1' WHERE key = 'schemaVersion'`);
    const again = await openStore(old, 'wf', { env: {} });
    try {
      expect((await db.admin.query(`SELECT value FROM "${s1}".store_meta WHERE key = 'schemaVersion'`)).rows[0].value).toBe(
        String(SCHEMA_VERSION),
      );
      expect(
        (
          await db.admin.query(
            `SELECT count(*)::int AS n FROM pg_trigger WHERE tgname = 'events_check_append' AND tgrelid = '"${s1}".events'::regclass`,
          )
        ).rows[0].n,
      ).toBe(1);
      await again.transact((tx) => tx.append([ev(2)]));
      expect(verifyLedger(await again.readLedger()).ok).toBe(true);
    } finally {
      await again.close();
      await db.admin.query(`DROP SCHEMA "${s1}" CASCADE`);
    }
  });
});

describe.skipIf(!realServer())(`rows the table owner forced in, triggers off${realServer() ? '' : ` (${seededPostgresReason})`}`, () => {
  let w: SeededWorkflow;
  afterAll(async () => w?.cleanup());

  it('stop flipgate from recording on top of them, named; the disable still acts and records', async () => {
    w = await seededWorkflow('Postgres');
    await runSurvey(w.session('surveyor'));
    const schema = new URL(w.location).searchParams.get('schema')!;
    const t = `"${schema}".events`;
    const admin = w.fx.db.admin;
    const forced = async (sql: string, params: unknown[]) => {
      await admin.query(`ALTER TABLE ${t} DISABLE TRIGGER USER`);
      await admin.query(sql, params).finally(() => admin.query(`ALTER TABLE ${t} ENABLE TRIGGER USER`));
    };
    const last = JSON.parse((await admin.query(`SELECT body FROM ${t} ORDER BY seq DESC LIMIT 1`)).rows[0].body) as LedgerEvent;
    // An event edited after it was sealed: its text no longer matches its hash.
    const [next] = sealEvents(last, w.fx.wf.spec.id, [
      {
        type: 'approval.granted',
        actor: 'alice',
        subject: 'GAP-7',
        cause: { kind: 'approval', principal: 'alice' },
        data: { head: last.hash, headSeq: last.seq },
      },
    ]);
    const edited = { ...next!, actor: 'mallory' };
    await forced(
      `INSERT INTO ${t} (workflow, seq, hash, prev, type, actor, subject, recorded, body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [edited.workflow, edited.seq, edited.hash, edited.prev, edited.type, edited.actor, edited.subject, edited.time, eventText(edited)],
    );
    const err = await runSurvey(w.session('surveyor')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Refusal);
    expect((err as Error).message).toMatch(
      new RegExp(`event ${next!.seq} — edited: event ${next!.seq} \\(approval\\.granted GAP-7\\) does not match its hash`),
    );
    const off = await disableWorkflow(w.session('carol'), 'the ledger is damaged');
    expect(off.safe).toBe(true);
    expect(off.recorded.length).toBeGreaterThan(0);

    // A row that is not JSON at all: still named.
    const end = JSON.parse((await admin.query(`SELECT body FROM ${t} ORDER BY seq DESC LIMIT 1`)).rows[0].body) as LedgerEvent;
    await forced(
      `INSERT INTO ${t} (workflow, seq, hash, prev, type, actor, recorded, body) VALUES ($1, $2, $3, $4, 'junk', 'x', now(), 'junk')`,
      [w.fx.wf.spec.id, end.seq + 1, 'f'.repeat(64), end.hash],
    );
    const junk = await runSurvey(w.session('surveyor')).catch((e: unknown) => e);
    expect(junk).toBeInstanceOf(Refusal);
    expect((junk as Error).message).toMatch(/— edited: event \d+ \(approval\.granted GAP-7\)/);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { eventText, sealEvents } from '../../src/store/chain.js';
import { openStore } from '../../src/store/open.js';
import { grantStatements, SCHEMA_VERSION } from '../../src/store/postgres-schema.js';
import type { NewEvent, WorkflowStore } from '../../src/store/types.js';
import { createTestDatabase, noServerReason, realServer, type TestDatabase } from '../support/pg.js';
import { pgStoreUrl } from './support/stores.js';

const ev = (i: number): NewEvent => ({ type: 'test.write', actor: 'tester', cause: { kind: 'operator', command: 'test' }, data: { i } });

let db: TestDatabase;
let url: string;
let schema: string;
beforeAll(async () => {
  db = await createTestDatabase();
  url = pgStoreUrl(db);
  schema = new URL(url).searchParams.get('schema')!;
});
afterAll(async () => db?.drop());

async function withStore<T>(fn: (s: WorkflowStore) => Promise<T>, at = url, workflow = 'wf'): Promise<T> {
  const store = await openStore(at, workflow);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

describe('the Postgres store', () => {
  it('creates its schema on first use, records its version, and opens it again as it is', async () => {
    await withStore((s) => s.transact((tx) => tx.append([ev(1)])));
    const v = await db.admin.query(`SELECT value FROM "${schema}".store_meta WHERE key = 'schemaVersion'`);
    expect(v.rows).toEqual([{ value: String(SCHEMA_VERSION) }]);
    expect(await withStore((s) => s.readEvents())).toHaveLength(1);
  });

  it('refuses UPDATE, DELETE and TRUNCATE of events through its triggers, even for a superuser', async () => {
    await withStore((s) => s.transact((tx) => tx.append([ev(2)])));
    for (const sql of [
      `UPDATE "${schema}".events SET actor = 'mallory'`,
      `DELETE FROM "${schema}".events`,
      `TRUNCATE "${schema}".events`,
    ]) {
      const err = await db.admin.query(sql).catch((e: { code: string; message: string }) => e);
      expect(err).toMatchObject({ code: '42501' });
      expect((err as Error).message).toMatch(/append-only/);
    }
  });

  it('lets a role granted INSERT and SELECT read and append, and nothing else', async () => {
    const role = `${db.prefix}store`;
    await db.admin.query(`CREATE ROLE "${role}" LOGIN`);
    for (const sql of grantStatements(schema, role)) await db.admin.query(sql);
    const [first] = sealEvents(undefined, 'other', [ev(1)]);
    await db.admin.query(`SET ROLE "${role}"`);
    try {
      await db.admin.query(
        `INSERT INTO "${schema}".events (workflow, seq, hash, prev, type, actor, recorded, body) VALUES ('other', 1, $1, $2, 'test.write', 'tester', $3, $4)`,
        [first!.hash, first!.prev, first!.time, eventText(first!)],
      );
      expect((await db.admin.query(`SELECT count(*)::int AS n FROM "${schema}".events WHERE workflow = 'other'`)).rows[0].n).toBe(1);
      await db.admin.query(`ALTER TABLE "${schema}".events DISABLE TRIGGER USER`).then(
        () => expect.unreachable('a store role must not be able to disable the triggers'),
        (e: { code: string }) => expect(e.code).toBe('42501'),
      );
      const update = await db.admin.query(`UPDATE "${schema}".events SET actor = 'x'`).catch((e: { code: string; message: string }) => e);
      expect(update).toMatchObject({ code: '42501' });
      expect((update as Error).message).toMatch(/permission denied/);
    } finally {
      await db.admin.query('RESET ROLE');
    }
  });

  it('refuses a store whose schema was written by a newer flipgate, saying to upgrade', async () => {
    const other = `${url.split('?')[0]}?schema=${db.kind === 'embedded' ? `${db.schema}_newer` : 'newer'}`;
    await withStore(async () => undefined, other);
    const s2 = new URL(other).searchParams.get('schema');
    await db.admin.query(`UPDATE "${s2}".store_meta SET value = '${SCHEMA_VERSION + 1}'`);
    const err = await openStore(other, 'wf').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(new RegExp(`version ${SCHEMA_VERSION + 1}.*upgrade flipgate`));
    await db.admin.query(`DROP SCHEMA "${s2}" CASCADE`);
  });

  it('never shows the password of the store URL in an error', async () => {
    const err = await openStore('postgres://someone:Hunter2-secret@127.0.0.1:1/nothing', 'wf').catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(
      /cannot open the Postgres store at postgres:\/\/someone:\*\*\*@127\.0\.0\.1:1\/nothing: nothing listens there \(ECONNREFUSED\)/,
    );
    expect(err.message).not.toContain('Hunter2');
  });

  it('refuses to import events that do not continue its chain', async () => {
    const events = await withStore(
      async (s) => {
        await s.transact((tx) => tx.append([ev(1), ev(2)]));
        return s.readEvents();
      },
      url,
      'imported',
    );
    const err = await withStore((s) => s.importEvents!(events.slice(1)), url, 'imported').catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/start at event 2 .* ends at event 2/);
  });
});

describe.skipIf(!realServer())(`the Postgres store across sessions (concurrent sessions and advisory locks: ${noServerReason})`, () => {
  it('commits each append at once, while a second writer waits for the first transact to end', async () => {
    const a = await openStore(url, 'locking');
    const b = await openStore(url, 'locking');
    const reader = await openStore(url, 'locking');
    const order: string[] = [];
    try {
      let releaseA!: () => void;
      const gate = new Promise<void>((r) => (releaseA = r));
      const first = a.transact(async (tx) => {
        await tx.append([ev(1)]);
        order.push('a appended');
        await gate;
        order.push('a ends');
      });
      while (!order.includes('a appended')) await new Promise((r) => setTimeout(r, 10));
      const second = b.transact(async (tx) => {
        order.push(`b reads ${(await tx.events()).length}`);
        await tx.append([ev(2)]);
      });
      await new Promise((r) => setTimeout(r, 200));
      // Durable before the transact ends: a flip's "requested" event survives the process dying.
      expect(await reader.readEvents()).toHaveLength(1);
      expect(order).toEqual(['a appended']);
      releaseA();
      await Promise.all([first, second]);
      expect(order).toEqual(['a appended', 'a ends', 'b reads 1']);
      expect((await reader.readEvents()).map((e) => e.seq)).toEqual([1, 2]);
    } finally {
      await Promise.all([a.close(), b.close(), reader.close()]);
    }
  });

  it('leaves a non-superuser owner who creates the store without UPDATE, DELETE or TRUNCATE on events', async () => {
    const owner = `${db.prefix}owner`;
    await db.admin.query(`CREATE ROLE "${owner}" LOGIN`);
    await db.admin.query(`GRANT CREATE ON DATABASE "${db.env.PGDATABASE}" TO "${owner}"`);
    const u = new URL(url);
    u.username = owner;
    u.searchParams.set('schema', 'owned');
    await withStore((s) => s.transact((tx) => tx.append([ev(1)])), u.toString());
    const r = await db.admin.query(
      `SELECT has_table_privilege($1, 'owned.events', 'INSERT') AS i, has_table_privilege($1, 'owned.events', 'UPDATE') AS u, has_table_privilege($1, 'owned.events', 'DELETE') AS d, has_table_privilege($1, 'owned.events', 'TRUNCATE') AS t`,
      [owner],
    );
    expect(r.rows[0]).toEqual({ i: true, u: false, d: false, t: false });
    await db.admin.query('DROP SCHEMA owned CASCADE');
  });
});

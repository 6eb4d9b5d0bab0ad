import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import type { NewEvent } from '../../src/store/types.js';
import { verifyLedger } from '../../src/store/verify.js';
import { createTestDatabase, noServerReason, realServer, type TestDatabase } from '../support/pg.js';
import { pgStoreUrl } from './support/stores.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ev = (actor: string): NewEvent => ({ type: 'test.write', actor, cause: { kind: 'operator', command: 'test' } });

describe.skipIf(!realServer())(`the Postgres store's workflow lock (concurrent sessions: ${noServerReason})`, () => {
  let db: TestDatabase | undefined;
  afterEach(async () => db?.drop());

  it('is never given up while its holder still has an INSERT running on the server, so two writers never take one event number', async () => {
    db = await createTestDatabase();
    const admin = db.admin;
    const url = pgStoreUrl(db);
    const schema = new URL(url).searchParams.get('schema')!;
    const first = await openStore(url, 'wf');
    const second = await openStore(url, 'wf');
    try {
      await first.readEvents(); // the schema exists before the table is held
      // The table is held, so the first writer's INSERT waits on the server while it holds the workflow lock.
      await admin.query('BEGIN');
      await admin.query(`LOCK TABLE "${schema}".events IN EXCLUSIVE MODE`);
      const a = first.transact((tx) => tx.append([ev('first')]));
      a.catch(() => undefined);
      const holder = async () =>
        (
          await admin.query<{ pid: number }>(
            `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
          )
        ).rows[0]?.pid;
      let pid: number | undefined;
      for (let i = 0; i < 200 && !pid; i++) {
        pid = await holder();
        if (!pid) await sleep(25);
      }
      const inserting = async () =>
        (
          await admin.query(
            `SELECT 1 FROM pg_stat_activity WHERE query LIKE 'INSERT INTO%' AND wait_event_type = 'Lock' AND datname = current_database()`,
          )
        ).rowCount! > 0;
      for (let i = 0; i < 200 && !(await inserting()); i++) await sleep(25);
      expect(pid).toBeDefined();
      // The writer dies (its lock's session ends) with its INSERT still pending; a second writer starts.
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      const b = second.transact((tx) => tx.append([ev('second')]));
      b.catch(() => undefined);
      await sleep(300);
      await admin.query('COMMIT');
      await expect(b).resolves.toHaveLength(1);
      await a.catch(() => undefined);
      const events = await second.readEvents();
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(events.map((e) => e.actor)).toContain('second');
      expect(verifyLedger(events).problem).toBeUndefined();
    } finally {
      await admin.query('ROLLBACK').catch(() => undefined);
      await first.close();
      await second.close();
    }
  }, 60_000);
});

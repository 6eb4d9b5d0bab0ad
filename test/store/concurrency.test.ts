import { readdir, stat } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import type { LedgerEvent } from '../../src/store/types.js';
import { verifyLedger } from '../../src/store/verify.js';
import { createTestDatabase, noServerReason, realServer, type TestDatabase } from '../support/pg.js';
import { pgStoreUrl, tempStore } from './support/stores.js';
import { startWriter } from './support/writer.js';

const WRITERS = 8;
const EACH = 50;

async function runWriters(location: string): Promise<void> {
  const writers = await Promise.all(Array.from({ length: WRITERS }, (_, w) => startWriter(location, 'wf', EACH, `writer-${w}`)));
  const exits = await Promise.all(writers.map((w) => w.exited));
  for (const x of exits) expect(x.stderr).toBe('');
  expect(exits.map((x) => x.code)).toEqual(Array(WRITERS).fill(0));
  for (const w of writers) expect(w.acked).toHaveLength(EACH);
}

function expectEveryUpdate(events: LedgerEvent[]): void {
  expect(events).toHaveLength(WRITERS * EACH);
  const v = verifyLedger(events);
  expect(v.problem).toBeUndefined();
  // Each writer decided on the head it read: under the lock nobody appended in between.
  expect(events.filter((e) => (e.data as { saw: number }).saw !== e.seq - 1)).toEqual([]);
  for (let w = 0; w < WRITERS; w++) {
    const mine = events.filter((e) => e.actor === `writer-${w}`).map((e) => (e.data as { i: number }).i);
    expect(mine).toEqual(Array.from({ length: EACH }, (_, i) => i + 1));
  }
}

describe('the file store shared by processes', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  it(`keeps all ${WRITERS * EACH} events of ${WRITERS} processes × ${EACH} read-decide-append updates in one verifying chain`, async () => {
    const s = await tempStore();
    cleanup = s.cleanup;
    await runWriters(s.location);
    const store = await openStore(s.location, 'wf');
    expectEveryUpdate(await store.readEvents());
    expect((await stat(s.ledger)).mode & 0o777).toBe(0o600);
    expect((await stat(s.location)).mode & 0o777).toBe(0o600);
    // No temp file and no lock left behind.
    expect((await readdir(`${s.dir}/state`)).sort()).toEqual(['wf.events.jsonl', 'wf.json']);
  });
});

describe.skipIf(!realServer())(`the Postgres store shared by processes (concurrent sessions and advisory locks: ${noServerReason})`, () => {
  let db: TestDatabase | undefined;
  afterEach(async () => db?.drop());

  it(`keeps all ${WRITERS * EACH} events of ${WRITERS} processes × ${EACH} read-decide-append updates in one verifying chain`, async () => {
    db = await createTestDatabase();
    const url = pgStoreUrl(db);
    await runWriters(url);
    const store = await openStore(url, 'wf');
    try {
      expectEveryUpdate(await store.readEvents());
    } finally {
      await store.close();
    }
  });
});

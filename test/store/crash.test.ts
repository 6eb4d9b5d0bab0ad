import { readdir, readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { readJsonLines } from '../../src/store/jsonl.js';
import { openStore } from '../../src/store/open.js';
import type { LedgerEvent } from '../../src/store/types.js';
import { verifyLedger } from '../../src/store/verify.js';
import { createTestDatabase, noServerReason, realServer, type TestDatabase } from '../support/pg.js';
import { pgStoreUrl, tempStore } from './support/stores.js';
import { startWriter, type Writer } from './support/writer.js';

const KILLS = 200;
const LANES = 4;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Outcome {
  acked: Map<number, string>;
  kills: number;
  unparsed: string[];
}

/**
 * Writers append in a loop on one store, LANES at a time; each is SIGKILLed at a random moment (often
 * mid-append or holding the lock): every other one soon after it starts, the rest after its first
 * append returned. After every kill `check` reads the store while the other lanes keep writing.
 */
async function killWriters(location: string, check: () => Promise<string | undefined>): Promise<Outcome> {
  const acked = new Map<number, string>();
  const unparsed: string[] = [];
  let kills = 0;
  const lane = async (n: number) => {
    while (kills < KILLS) {
      const afterFirst = kills++ % 2 === 1;
      const w: Writer = await startWriter(location, 'wf', 'forever', `lane-${n}`);
      await (afterFirst ? w.firstAck : w.ready);
      await sleep(Math.random() * 50);
      w.child.kill('SIGKILL');
      const exit = await w.exited;
      // The thrown error's own line (after Node's source excerpt), so a failure says what went wrong.
      const said = exit.stderr.split('\n').find((l) => /^\w*Error\b|^error:/.test(l)) ?? exit.stderr.split('\n')[0];
      if (exit.signal !== 'SIGKILL') unparsed.push(`writer exited by itself (${exit.code}): ${said}`);
      for (const a of w.acked) acked.set(a.seq, a.hash);
      const problem = await check();
      if (problem) unparsed.push(problem);
    }
  };
  await Promise.all(Array.from({ length: LANES }, (_, n) => lane(n)));
  return { acked, kills, unparsed };
}

function expectSurvived(events: LedgerEvent[], o: Outcome): void {
  expect(o.unparsed).toEqual([]);
  expect(o.kills).toBeGreaterThanOrEqual(KILLS);
  expect(verifyLedger(events).problem).toBeUndefined();
  const bySeq = new Map(events.map((e) => [e.seq, e.hash]));
  // Every append that returned is there, unchanged; what is there but unacknowledged was in flight: one per kill at most.
  const lost = [...o.acked].filter(([seq, hash]) => bySeq.get(seq) !== hash);
  expect(lost).toEqual([]);
  expect(events.length - o.acked.size).toBeLessThanOrEqual(o.kills);
  // Half the writers were killed only after an append had returned: the ledger grew under fire.
  expect(o.acked.size).toBeGreaterThanOrEqual(KILLS / 2);
}

describe('a file store whose writers are killed mid-write', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  it(`always parses and verifies, loses no acknowledged event, and keeps no temp file or lock past the next command, across ${KILLS} SIGKILLs at random points`, async () => {
    const s = await tempStore();
    cleanup = s.cleanup;
    const outcome = await killWriters(s.location, async () => {
      const read = await readJsonLines(s.ledger);
      if (read.damaged.length) return `lines ${read.damaged.map((d) => d.line).join(', ')} are damaged`;
      const v = verifyLedger(read);
      if (v.problem) return `chain: ${v.problem.detail}`;
      try {
        JSON.parse(await readFile(s.location, 'utf8'));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return 'the view document does not parse';
      }
      return undefined;
    });
    const store = await openStore(s.location, 'wf');
    // The next command (here: reading the view, as status does) removes what the killed writers left.
    expect(await store.readView()).toMatchObject({ state: 'sealed', body: { writer: expect.stringMatching(/^lane-/) } });
    expect((await readdir(`${s.dir}/state`)).sort()).toEqual(['wf.events.jsonl', 'wf.json']);
    expectSurvived(await store.readEvents(), outcome);
    // The next writer trims a torn tail and carries on from the last complete event.
    const [next] = await store.transact((tx) =>
      tx.append([{ type: 'test.after', actor: 't', cause: { kind: 'operator', command: 'test' } }]),
    );
    const after = await store.readEvents();
    expect(after[after.length - 1]!.hash).toBe(next!.hash);
    expect(verifyLedger(after).problem).toBeUndefined();
  }, 300_000);
});

describe.skipIf(!realServer())(`a Postgres store whose writers are killed mid-write (concurrent sessions: ${noServerReason})`, () => {
  let db: TestDatabase | undefined;
  afterEach(async () => db?.drop());

  it(`always reads back and verifies, and loses no acknowledged event, across ${KILLS} SIGKILLs at random points`, async () => {
    db = await createTestDatabase();
    const url = pgStoreUrl(db);
    const reader = await openStore(url, 'wf');
    try {
      const outcome = await killWriters(url, async () => {
        const v = verifyLedger(await reader.readEvents());
        return v.problem ? `chain: ${v.problem.detail}` : undefined;
      });
      expectSurvived(await reader.readEvents(), outcome);
    } finally {
      await reader.close();
    }
  }, 300_000);
});

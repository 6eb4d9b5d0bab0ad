import { writeFile } from 'node:fs/promises';
import type pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Refusal } from '../../src/errors.js';
import { runSurvey } from '../../src/runner/actions/survey-advance.js';
import { eventText, verifyChain } from '../../src/store/chain.js';
import type { FileStore } from '../../src/store/file-store.js';
import { openStore } from '../../src/store/open.js';
import type { LedgerEvent, NewEvent, WorkflowStore } from '../../src/store/types.js';
import { verifyLedger } from '../../src/store/verify.js';
import { createTestDatabase, type TestDatabase } from '../support/pg.js';
import { backendNames, type SeededWorkflow, seededWorkflow } from './support/seeded.js';
import { pgStoreUrl, tempStore } from './support/stores.js';

const ev = (actor: string): NewEvent => ({
  type: 'approval.granted',
  actor,
  subject: 'GAP-7',
  cause: { kind: 'approval', principal: actor },
  data: { head: 'h', headSeq: 0 },
});

/** Writes stored lines exactly as given, as someone with write access to the storage would (the table owner: triggers off). */
type RawRewrite = (lines: string[]) => Promise<void>;

const rawFile =
  (ledger: string): RawRewrite =>
  (lines) =>
    writeFile(ledger, lines.map((l) => `${l}\n`).join(''));

const rawTable =
  (admin: pg.Client, schema: string, workflow: string): RawRewrite =>
  async (lines) => {
    const t = `"${schema}".events`;
    await admin.query(`ALTER TABLE ${t} DISABLE TRIGGER USER`);
    try {
      await admin.query(`DELETE FROM ${t} WHERE workflow = $1`, [workflow]);
      for (const [i, line] of lines.entries()) {
        const e = JSON.parse(line) as LedgerEvent;
        await admin.query(
          `INSERT INTO ${t} (workflow, seq, hash, prev, type, actor, subject, recorded, body) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
          [workflow, i + 1, e.hash, e.prev, e.type, e.actor, e.subject ?? null, e.time, line],
        );
      }
    } finally {
      await admin.query(`ALTER TABLE ${t} ENABLE TRIGGER USER`);
    }
  };

// The same event in other words: each text parses to an event whose hash still matches.
const variants: [string, (line: string) => string][] = [
  [
    'a duplicate key (the first one is what a reader of the text sees)',
    (l) => l.replace('{"actor":"bob",', '{"actor":"mallory","actor":"bob",'),
  ],
  ['spaces after the separators', (l) => l.replace(/","/g, '", "')],
  ['keys in another order', (l) => `{"seq":${(JSON.parse(l) as LedgerEvent).seq},${l.slice(1).replace(/,"seq":\d+/, '')}`],
  ['a number in another form', (l) => l.replace(/"headSeq":0/, '"headSeq":0.0')],
];

let db: TestDatabase | undefined;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db?.drop());

describe.each(backendNames)('stored lines on the %s store', (backend) => {
  let store: WorkflowStore;
  let raw: RawRewrite;
  let lines: string[];
  let done: () => Promise<void>;

  beforeEach(async () => {
    if (backend === 'file') {
      const s = await tempStore();
      store = await openStore(s.location, 'wf', { env: {} });
      raw = rawFile(s.ledger);
      done = s.cleanup;
    } else {
      const url = pgStoreUrl(db!);
      store = await openStore(url, 'wf', { env: {} });
      raw = rawTable(db!.admin, new URL(url).searchParams.get('schema')!, 'wf');
      await raw([]);
      done = () => store.close();
    }
    for (const actor of ['alice', 'bob', 'carol']) await store.transact((tx) => tx.append([ev(actor)]));
    lines = (await store.readEvents()).map(eventText);
    return () => done();
  });

  it.each(variants)('fail verify as "not canonical" when one holds %s, though its hash still matches', async (_what, rewrite) => {
    const changed = lines.map((l, i) => (i === 1 ? rewrite(l) : l));
    expect(changed[1]).not.toBe(lines[1]);
    await raw(changed);
    const read = await store.readLedger();
    // What a reader of the events alone sees: a chain that holds.
    expect(verifyChain(read.events)).toBeUndefined();
    const v = verifyLedger(read);
    expect(v.problem).toMatchObject({ seq: 2, index: 1, problem: 'not-canonical' });
    expect(v.problem!.detail).toMatch(/event 2 \(line 2\) is not canonical: its text is not the canonical JSON of the event it parses to/);
  });
});

describe('a command on a ledger whose last line is not canonical', () => {
  let w: SeededWorkflow;
  afterAll(async () => w?.cleanup());

  it('does not believe the view, rebuilds, and refuses to record on top of it, naming the line', async () => {
    w = await seededWorkflow(backendNames[0]!);
    await runSurvey(w.session('surveyor'));
    const lines = (await w.store.readEvents()).map(eventText);
    const last = lines.length - 1;
    await rawFile((w.store as FileStore).ledgerFile)(
      lines.map((l, i) => (i === last ? l.replace(/^\{"actor":"surveyor",/, '{"actor":"mallory","actor":"surveyor",') : l)),
    );
    const notes: string[] = [];
    const err = await runSurvey(w.session('surveyor', { onNote: (n) => notes.push(n) })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Refusal);
    expect((err as Error).message).toMatch(
      new RegExp(`event ${last + 1} — not-canonical: event ${last + 1} \\(line ${last + 1}\\) is not canonical`),
    );
    expect(notes.join('\n')).toMatch(/the view was rebuilt from the ledger: the ledger's last line is not canonical/);
  });
});

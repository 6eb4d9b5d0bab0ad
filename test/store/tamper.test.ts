import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashEvent, sealEvents } from '../../src/store/chain.js';
import { makeCheckpoint } from '../../src/store/checkpoint.js';
import { openStore } from '../../src/store/open.js';
import type { LedgerEvent, NewEvent, WorkflowStore } from '../../src/store/types.js';
import { verifyLedger } from '../../src/store/verify.js';
import { signerFor } from '../../src/support/digest.js';
import { createTestDatabase, type TestDatabase } from '../support/pg.js';
import { pgStoreUrl, tempStore } from './support/stores.js';
import { type Rewrite, rewriteFile, rewriteTable } from './support/tamper.js';

const keys = () => generateKeyPairSync('ed25519');
const signer = keys();
const forger = keys();

const ev = (i: number, subject = `GAP-${i}`): NewEvent => ({
  type: 'gap.status',
  actor: `op-${i}`,
  subject,
  from: 'OPEN',
  to: 'CLOSED',
  cause: { kind: 'probe', checks: [`${subject}/c`], digest: 'd'.repeat(64), evidence: [`c: pass — ${i}`] },
});

/** Re-seals events from `from` on, as a forger who can write the storage but lacks the key would. */
function reseal(events: LedgerEvent[], from: number, key?: KeyObject): LedgerEvent[] {
  const out = events.slice(0, from);
  for (const e of events.slice(from)) {
    const prevHash = out[out.length - 1]?.hash ?? '0'.repeat(64);
    const { hash: _h, sig, ...body } = { ...e, prev: prevHash };
    const hash = hashEvent(body);
    out.push({ ...body, hash, ...(key ? { sig: signerFor(key)(hash) } : sig ? { sig } : {}) } as LedgerEvent);
  }
  return out;
}

interface Backend {
  name: string;
  open(): Promise<{ store: WorkflowStore; rewrite: Rewrite; done(): Promise<void> }>;
}

let db: TestDatabase | undefined;
const backends: Backend[] = [
  {
    name: 'file',
    async open() {
      const s = await tempStore();
      const store = await openStore(s.location, 'wf', { signingKey: signer.privateKey });
      return { store, rewrite: rewriteFile(s.ledger), done: s.cleanup };
    },
  },
  {
    name: 'Postgres',
    async open() {
      const url = pgStoreUrl(db!);
      const store = await openStore(url, 'wf', { signingKey: signer.privateKey });
      return { store, rewrite: rewriteTable(db!.admin, new URL(url).searchParams.get('schema')!, 'wf'), done: () => store.close() };
    },
  },
];

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db?.drop());

describe.each(backends)('verify on the $name store', (backend) => {
  let store: WorkflowStore;
  let rewrite: Rewrite;
  let done: () => Promise<void>;
  let events: LedgerEvent[];
  const verifyNow = async (opts: Parameters<typeof verifyLedger>[1] = {}) =>
    verifyLedger(await store.readEvents(), { publicKey: signer.publicKey, ...opts });

  beforeEach(async () => {
    ({ store, rewrite, done } = await backend.open());
    // Postgres keeps one table per schema: start each test from an empty ledger.
    if (backend.name === 'Postgres') await rewrite([]);
    for (let i = 1; i <= 6; i++) await store.transact((tx) => tx.append([ev(i)]));
    events = await store.readEvents();
    return async () => done();
  });

  it('passes an untouched signed ledger, every signature checked', async () => {
    const v = await verifyNow();
    expect(v.problem).toBeUndefined();
    expect(v.signatures).toMatchObject({ checked: true, signed: 6, firstSigned: 1 });
  });

  it('names an edited field as "edited" at that event', async () => {
    await rewrite(events.map((e) => (e.seq === 3 ? { ...e, actor: 'mallory' } : e)));
    expect((await verifyNow()).problem).toMatchObject({ seq: 3, problem: 'edited' });
  });

  it('names a deleted event as "removed", before the event that follows the gap', async () => {
    await rewrite(events.filter((e) => e.seq !== 3));
    const p = (await verifyNow()).problem!;
    expect(p).toMatchObject({ seq: 4, problem: 'removed' });
    expect(p.detail).toMatch(/event 3 is missing/);
  });

  it('names two swapped events as "reordered"', async () => {
    await rewrite([events[0]!, events[1]!, events[3]!, events[2]!, events[4]!, events[5]!]);
    expect((await verifyNow()).problem).toMatchObject({ seq: 4, index: 2, problem: 'reordered' });
  });

  it('names an event inserted with a recomputed hash as "inserted"', async () => {
    const [forged] = sealEvents(events[1], 'wf', [ev(99, 'GAP-7')]);
    await rewrite([...events.slice(0, 2), forged!, ...events.slice(2)]);
    expect((await verifyNow({ publicKey: undefined })).problem).toMatchObject({ seq: 3, index: 3, problem: 'inserted' });
  });

  it('names a tail cut off behind a checkpoint as "truncated"', async () => {
    const checkpoint = makeCheckpoint(events, { key: signer.privateKey });
    await rewrite(events.slice(0, 4));
    expect((await verifyNow()).problem).toBeUndefined(); // a chain alone cannot see it
    const p = (await verifyNow({ checkpoint })).problem!;
    expect(p).toMatchObject({ seq: 5, problem: 'truncated' });
    expect(p.detail).toMatch(/ends at event 4.*records event 6/);
  });

  it('names a tail rewritten after a checkpoint as "diverged"', async () => {
    const checkpoint = makeCheckpoint(events, { key: signer.privateKey });
    const rewritten = reseal(
      events.map((e) => (e.seq === 6 ? { ...e, to: 'OPEN' } : e)),
      5,
      signer.privateKey,
    );
    await rewrite(rewritten);
    expect((await verifyNow({ checkpoint })).problem).toMatchObject({ seq: 6, problem: 'diverged' });
  });

  it('detects a forged event appended with a recomputed hash, but only with signing configured', async () => {
    const [forged] = sealEvents(events[5], 'wf', [ev(7, 'GAP-7')]);
    await rewrite([...events, forged!]);
    // Without a key the forgery is a valid chain: this is why signing exists.
    expect((await verifyNow({ publicKey: undefined })).problem).toBeUndefined();
    expect((await verifyNow()).problem).toMatchObject({ seq: 7, problem: 'unsigned' });
  });

  it('detects a forged event signed with a key other than the configured one', async () => {
    const [forged] = sealEvents(events[5], 'wf', [ev(7, 'GAP-7')], undefined, signerFor(forger.privateKey));
    await rewrite([...events, forged!]);
    expect((await verifyNow()).problem).toMatchObject({ seq: 7, problem: 'bad-signature' });
  });

  it('detects an event rewritten with every later hash recomputed, at the rewritten event', async () => {
    const rewritten = reseal(
      events.map((e) => (e.seq === 2 ? { ...e, actor: 'mallory' } : e)),
      1,
    );
    await rewrite(rewritten);
    expect((await verifyNow({ publicKey: undefined })).problem).toBeUndefined();
    expect((await verifyNow()).problem).toMatchObject({ seq: 2, problem: 'bad-signature' });
  });

  it('detects a whole ledger rewritten without signatures', async () => {
    await rewrite(
      reseal(
        events.map(({ sig: _s, ...e }) => e as LedgerEvent),
        0,
      ),
    );
    expect((await verifyNow({ publicKey: undefined })).problem).toBeUndefined();
    expect((await verifyNow()).problem).toMatchObject({ problem: 'unsigned' });
  });

  it('refuses a checkpoint whose signature does not verify, and an unsigned one when a key is given', async () => {
    const checkpoint = makeCheckpoint(events, { key: signer.privateKey });
    expect((await verifyNow({ checkpoint: { ...checkpoint, seq: 4, hash: events[3]!.hash } })).problem).toMatchObject({
      problem: 'checkpoint',
    });
    expect((await verifyNow({ checkpoint: makeCheckpoint(events) })).problem).toMatchObject({ problem: 'checkpoint' });
    expect((await verifyNow({ checkpoint })).problem).toBeUndefined();
  });
});

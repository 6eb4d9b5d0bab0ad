import type { KeyObject } from 'node:crypto';
import { keyId, signatureVerifies } from '../support/digest.js';
import { type ChainProblem, describeSeq, eventProblem, verifyChain } from './chain.js';
import { type Checkpoint, checkpointVerifies } from './checkpoint.js';
import {
  type DamagedLine,
  GENESIS,
  type Head,
  type LedgerEvent,
  type LedgerRead,
  type LedgerVisitor,
  type WorkflowStore,
} from './types.js';

export type LedgerProblemKind =
  | ChainProblem['problem']
  | 'truncated'
  | 'diverged'
  | 'unsigned'
  | 'bad-signature'
  | 'adopted'
  | 'checkpoint'
  | 'witness'
  | 'foreign';

export interface LedgerProblem {
  /** The first bad event's sequence number (for `truncated`, the first missing one). */
  seq: number;
  /** Its position in the ledger (0-based). */
  index: number;
  problem: LedgerProblemKind;
  detail: string;
}

/** Where signing started on a ledger begun without it: `at` (a signed `ledger.adopted`) vouches for the head `seq`/`hash`. */
export interface Adoption {
  seq: number;
  hash: string;
  at: number;
  actor: string;
  time: string;
  /** What vouches for the unsigned events before it: the operator's --adopted, or a signed checkpoint that covers them. */
  vouchedBy: 'adopted' | 'checkpoint' | undefined;
}

/** A head held elsewhere that the ledger was compared with. */
export interface HeadCheck {
  seq: number;
  hash: string;
  signed: boolean;
  signatureChecked: boolean;
}

export interface LedgerVerification {
  ok: boolean;
  workflow: string | undefined;
  events: number;
  head: Head | undefined;
  /** The first problem; undefined when the ledger verifies. */
  problem: LedgerProblem | undefined;
  signatures: { checked: boolean; keyId?: string; signed: number; firstSigned?: number };
  adoption?: Adoption;
  checkpoint?: HeadCheck & { created: string };
  witness?: HeadCheck & { location: string };
  view?: { seq: number; hash: string; location: string };
  /** What was not checked, and why: a pass means no more than these allow. */
  notes: string[];
}

export interface VerifyOptions {
  /** ed25519 public key: every event must be signed with it (a ledger begun unsigned: from its adoption on). */
  publicKey?: KeyObject;
  /** Fails when the ledger is shorter than, or diverges from, this head. */
  checkpoint?: Checkpoint;
  /** The head a witness holds (written after every append): the ledger must contain it; `unreadable` says why it could not be read. */
  witness?: { head: Checkpoint | undefined; location: string; unreadable?: string };
  /** The head of the derived view beside the ledger: a free local witness. */
  view?: { head: Head; location: string };
  /** The adopted head the operator vouches for (--adopted SEQ:HASH). */
  adopted?: Head;
  /** Accept an adoption nobody vouched for (rebuilding a view; verify and the flip never do). */
  allowAdoption?: boolean;
  /** The workflow the ledger must belong to. */
  workflow?: string;
}

function adoptedHead(e: LedgerEvent): Head | undefined {
  const a = (e.data as { adopts?: { seq?: unknown; hash?: unknown } } | undefined)?.adopts;
  return a && typeof a.seq === 'number' && typeof a.hash === 'string' ? { seq: a.seq, hash: a.hash } : undefined;
}

function signedHeadProblem(
  cp: Checkpoint,
  named: string,
  kind: 'checkpoint' | 'witness',
  key: KeyObject | undefined,
  take: string,
): LedgerProblem | undefined {
  const at = { seq: cp.seq, index: cp.seq - 1 };
  if (key && !cp.signature)
    return { ...at, problem: kind, detail: `${named} is not signed, so it cannot be trusted against key ${keyId(key)}: ${take}` };
  if (key && !checkpointVerifies(cp, key))
    return {
      ...at,
      problem: kind,
      detail: `${named} carries a signature that does not verify with key ${keyId(key)}: it was altered or signed with another key`,
    };
  return undefined;
}

const firstOf = (...ps: (LedgerProblem | undefined)[]): LedgerProblem | undefined => ps.find((p) => p !== undefined);

/**
 * The check of a ledger, event by event, in order: what verifyLedger does over an array and what a
 * streamed read of a long ledger does without holding its events. Every line canonical, every event
 * matching its hash and following the one before, with a key every signature (and where signing was
 * adopted), and the hashes of the heads kept elsewhere, to compare at the end.
 */
export class LedgerScan implements LedgerVisitor {
  private readonly key: KeyObject | undefined;
  private readonly id: string | undefined;
  /** The hash (and a name) of each event a head kept elsewhere points at. */
  private readonly wanted = new Map<number, { hash: string; named: string } | undefined>();
  private count = 0;
  private prev = GENESIS;
  private seq = 0;
  private first: LedgerEvent | undefined;
  private last: LedgerEvent | undefined;
  private before: LedgerEvent | undefined;
  private chain: LedgerProblem | undefined;
  private sig: LedgerProblem | undefined;
  private signedCount = 0;
  private present = 0;
  private firstSigned: LedgerEvent | undefined;
  private adoption: Omit<Adoption, 'vouchedBy'> | undefined;

  constructor(private readonly opts: VerifyOptions = {}) {
    this.key = opts.publicKey;
    this.id = this.key ? keyId(this.key) : undefined;
    for (const h of [opts.checkpoint, opts.witness?.head, opts.view?.head]) if (h) this.wanted.set(h.seq, undefined);
  }

  /** A stored line that is not an event as flipgate writes it: the first problem, if none came before. */
  damage(d: DamagedLine): void {
    this.chain ??= { seq: this.seq + 1, index: d.index, problem: d.problem, detail: d.detail };
  }

  /** The next event; `recomputed` is its hash as the reader recomputed it from the stored line. */
  add(e: LedgerEvent, recomputed?: string): void {
    const i = this.count++;
    this.first ??= e;
    this.last = e;
    if (typeof e?.sig === 'string') this.present++;
    if (this.chain) return; // after a break, positions mean nothing
    const bad = eventProblem(e, i, recomputed) ?? this.link(e, i);
    if (bad) {
      this.chain = bad;
      return;
    }
    this.prev = e.hash;
    this.seq = e.seq;
    if (this.wanted.has(e.seq)) this.wanted.set(e.seq, { hash: e.hash, named: describeSeq(e) });
    if (this.key && !this.sig) this.checkSignature(e, i);
    this.before = e;
  }

  // Without the events ahead, a break is named as well as one event allows (verifyLedger refines it).
  private link(e: LedgerEvent, i: number): LedgerProblem | undefined {
    if (e.workflow !== this.first!.workflow)
      return {
        seq: e.seq,
        index: i,
        problem: 'inserted',
        detail: `${describeSeq(e)} belongs to workflow ${e.workflow}, not ${this.first!.workflow}: it was copied in from another ledger`,
      };
    const expected = this.seq + 1;
    if (e.seq === expected && e.prev === this.prev) return undefined;
    if (e.seq < expected)
      return {
        seq: e.seq,
        index: i,
        problem: 'inserted',
        detail: `${describeSeq(e)} repeats event number ${e.seq}: an event was inserted`,
      };
    if (e.seq > expected)
      return {
        seq: e.seq,
        index: i,
        problem: 'removed',
        detail: `event ${expected}${e.seq > expected + 1 ? `…${e.seq - 1}` : ''} ${e.seq > expected + 1 ? 'are' : 'is'} missing before ${describeSeq(e)}: removed from the ledger, or moved`,
      };
    return {
      seq: e.seq,
      index: i,
      problem: 'inserted',
      detail: `${describeSeq(e)} does not follow event ${this.seq} (its prev hash differs): an event was inserted or replaced before it`,
    };
  }

  // Every event signed, except a prefix begun before signing that one signed `ledger.adopted` event names.
  private checkSignature(e: LedgerEvent, i: number): void {
    if (typeof e.sig !== 'string') {
      if (this.firstSigned)
        this.sig = {
          seq: e.seq,
          index: i,
          problem: 'unsigned',
          detail: `${describeSeq(e)} is not signed, though every event since ${this.firstSigned.seq} is: it was added without the signing key`,
        };
      return;
    }
    if (!signatureVerifies(e.hash, e.sig, this.key!)) {
      this.sig = {
        seq: e.seq,
        index: i,
        problem: 'bad-signature',
        detail: `${describeSeq(e)} carries a signature that does not verify with key ${this.id}: it was rewritten and re-hashed, or signed with another key`,
      };
      return;
    }
    this.signedCount++;
    if (this.firstSigned) return;
    this.firstSigned = e;
    const before = this.before;
    if (!before) return;
    const adopts = e.type === 'ledger.adopted' ? adoptedHead(e) : undefined;
    if (!adopts || adopts.seq !== before.seq || adopts.hash !== before.hash) {
      this.sig = {
        seq: before.seq,
        index: i - 1,
        problem: 'unsigned',
        detail: `events ${this.first!.seq}…${before.seq} are not signed and no signed ledger.adopted event adopts them: signatures were stripped, or events were written without the key`,
      };
      return;
    }
    this.adoption = { seq: adopts.seq, hash: adopts.hash, at: e.seq, actor: e.actor, time: e.time };
  }

  /** Whether a problem was found in the chain itself (verifyLedger then names it from the whole array). */
  get chainBroken(): boolean {
    return !!this.chain;
  }

  // How a head held elsewhere (a checkpoint, a witness, the view) compares with the ledger.
  private headProblem(head: Head & { workflow?: string }, named: string, fix: string): LedgerProblem | undefined {
    const last = this.last;
    const at = { seq: head.seq, index: Math.min(head.seq - 1, this.count) };
    if (last && head.workflow !== undefined && head.workflow !== last.workflow)
      return { ...at, problem: 'foreign', detail: `${named} is for workflow ${head.workflow}, this ledger is ${last.workflow}` };
    if (!last || last.seq < head.seq) {
      const from = (last?.seq ?? 0) + 1;
      return {
        seq: from,
        index: this.count,
        problem: 'truncated',
        detail: `the ledger ends at event ${last?.seq ?? 0}, but ${named} records event ${head.seq}: event${head.seq > from ? `s ${from}…${head.seq}` : ` ${from}`} were cut off — ${fix}`,
      };
    }
    const there = this.wanted.get(head.seq);
    if (there && there.hash !== head.hash)
      return {
        seq: head.seq,
        index: head.seq - 1,
        problem: 'diverged',
        detail: `${there.named} differs from ${named} (hash ${there.hash.slice(0, 12)}…, there ${head.hash.slice(0, 12)}…): the ledger was rewritten after that head was recorded — ${fix}`,
      };
    return undefined;
  }

  /** The verification of what was read; `chain` replaces the chain problem with a better-named one. */
  result(chain?: ChainProblem): LedgerVerification {
    const opts = this.opts;
    const notes: string[] = [];
    const key = this.key;
    const chainProblem = chain ?? this.chain;
    let problem: LedgerProblem | undefined = this.sig && (!chainProblem || this.sig.index < chainProblem.index) ? this.sig : chainProblem;
    const first = this.first;
    if (!problem && first && opts.workflow && first.workflow !== opts.workflow) {
      problem = {
        seq: first.seq,
        index: 0,
        problem: 'foreign',
        detail: `the ledger belongs to workflow ${first.workflow}, not ${opts.workflow}`,
      };
    }
    let signatures: LedgerVerification['signatures'] = { checked: false, signed: this.present };
    let adoption: Adoption | undefined;
    if (key) {
      signatures = { checked: true, keyId: this.id, signed: this.signedCount, firstSigned: this.firstSigned?.seq };
      if (!this.chain && this.count && !this.firstSigned) {
        if (opts.allowAdoption)
          notes.push(`no event is signed yet: the next event recorded with key ${this.id} adopts the ledger as it stands`);
        else
          problem ??= {
            seq: this.last!.seq,
            index: this.count - 1,
            problem: 'unsigned',
            detail: `no event is signed by key ${this.id}: the ledger was written without FLIPGATE_SIGNING_KEY, or rewritten by someone without the key`,
          };
      }
      const a = this.adoption;
      if (a) {
        const cp = opts.checkpoint;
        const vouchedBy =
          opts.adopted && opts.adopted.seq === a.seq && opts.adopted.hash === a.hash
            ? 'adopted'
            : cp && cp.seq >= a.seq && checkpointVerifies(cp, key) && !this.headProblem(cp, 'the checkpoint', '')
              ? 'checkpoint'
              : undefined;
        adoption = { ...a, vouchedBy };
        const boundary = `events 1…${a.seq} were recorded unsigned and adopted at event ${a.at} (ledger.adopted by ${a.actor}, ${a.time}), which vouches for head ${a.seq}:${a.hash}`;
        if (vouchedBy)
          notes.push(
            `${boundary}; ${vouchedBy === 'adopted' ? 'you vouched for that head with --adopted' : 'a signed checkpoint covers it'}`,
          );
        else if (opts.allowAdoption) notes.push(boundary);
        else
          problem ??= {
            seq: a.at,
            index: a.at - 1,
            problem: 'adopted',
            detail: `${boundary}: nothing proves those events were not rewritten before signing began — check them, then pass --adopted ${a.seq}:${a.hash}, or a signed checkpoint that covers event ${a.seq}`,
          };
      }
      if (opts.adopted && !a)
        notes.push(`--adopted ${opts.adopted.seq}:${opts.adopted.hash.slice(0, 12)}… was given, but this ledger has no adoption boundary`);
    } else {
      notes.push(
        this.present
          ? `${this.present} signatures were not checked: pass --public-key or set FLIPGATE_VERIFY_KEY`
          : 'no signatures: a rewrite with recomputed hashes would not be detected without a signing key',
      );
    }
    let checkpoint: LedgerVerification['checkpoint'];
    const cp = opts.checkpoint;
    if (cp) {
      checkpoint = { seq: cp.seq, hash: cp.hash, created: cp.created, signed: !!cp.signature, signatureChecked: !!key };
      problem ??= firstOf(
        signedHeadProblem(
          cp,
          `the checkpoint of ${cp.created}`,
          'checkpoint',
          key,
          'take checkpoints with flipgate audit checkpoint --key',
        ),
        this.headProblem(cp, `the checkpoint of ${cp.created}`, 'restore the ledger from a copy'),
      );
      if (cp.signature && !key) notes.push('the checkpoint is signed but its signature was not checked: pass --public-key');
    }
    let witness: LedgerVerification['witness'];
    const w = opts.witness;
    if (w?.head) {
      witness = { seq: w.head.seq, hash: w.head.hash, location: w.location, signed: !!w.head.signature, signatureChecked: !!key };
      const named = `the witness at ${w.location} (head of ${w.head.created})`;
      problem ??= firstOf(
        signedHeadProblem(w.head, named, 'witness', key, 'the witness is written with FLIPGATE_SIGNING_KEY set'),
        this.headProblem(w.head, named, 'restore the ledger from a copy'),
      );
    } else if (w?.unreadable) {
      problem ??= {
        seq: this.count,
        index: Math.max(this.count - 1, 0),
        problem: 'witness',
        detail: `the witness at ${w.location} cannot be read (${w.unreadable}), so a cut-off or rewritten tail cannot be ruled out — make it reachable, or point --witness at a copy`,
      };
    } else if (w) {
      notes.push(`the witness at ${w.location} holds no head yet: it is written after the next recorded event`);
    }
    if (opts.view) {
      problem ??= this.headProblem(
        opts.view.head,
        `the view ${opts.view.location}`,
        'restore the ledger from a copy; if it was cut on purpose, delete the view and flipgate rebuilds it',
      );
    }
    if (!cp && !w)
      notes.push(
        opts.view
          ? 'no checkpoint and no witness: events cut off the end are detected only against the view, which sits beside the ledger'
          : 'no checkpoint: events cut off the end of the ledger would not be detected',
      );
    const head = this.last;
    return {
      ok: !problem,
      workflow: first?.workflow,
      events: this.count,
      head: head && typeof head.seq === 'number' ? { seq: head.seq, hash: head.hash } : undefined,
      problem,
      signatures,
      ...(adoption ? { adoption } : {}),
      checkpoint,
      ...(witness ? { witness } : {}),
      ...(opts.view ? { view: { ...opts.view.head, location: opts.view.location } } : {}),
      notes,
    };
  }
}

/** Feeds a read ledger to a scan, each damaged line where it stands. */
export function feed(read: LedgerRead, visitor: LedgerVisitor): void {
  let d = 0;
  for (let i = 0; i < read.events.length; i++) {
    while (read.damaged[d] && read.damaged[d]!.index <= i) visitor.damage(read.damaged[d++]!);
    visitor.add(read.events[i]!, read.hashes?.[i]);
  }
  while (read.damaged[d]) visitor.damage(read.damaged[d++]!);
}

/**
 * Checks a ledger: every stored line canonical, the hash chain (edited, removed, reordered, inserted
 * events), with `publicKey` the signatures (forged, re-hashed or stripped events) and the adoption of an
 * unsigned beginning, with `checkpoint`, `witness` and `view` the tail (truncation, divergence).
 * Returns the first problem; never throws.
 * @example
 * const v = verifyLedger(await store.readLedger(), { publicKey, checkpoint });
 * if (!v.ok) console.error(`event ${v.problem!.seq}: ${v.problem!.detail}`);
 */
export function verifyLedger(input: LedgerEvent[] | LedgerRead, opts: VerifyOptions = {}): LedgerVerification {
  const read: LedgerRead = Array.isArray(input) ? { events: input, damaged: [] } : input;
  const scan = new LedgerScan(opts);
  feed(read, scan);
  return scan.result(scan.chainBroken ? verifyChain(read) : undefined);
}

/**
 * Verifies a store's ledger in one streamed pass that holds no events, so a long ledger costs time but
 * no memory; a break in the chain is then named from the whole ledger.
 * @example
 * const v = await verifyStoredLedger(store, { publicKey });
 */
export async function verifyStoredLedger(store: WorkflowStore, opts: VerifyOptions = {}): Promise<LedgerVerification> {
  const scan = new LedgerScan(opts);
  await store.scan(scan);
  return scan.chainBroken ? verifyLedger(await store.readLedger(), opts) : scan.result();
}

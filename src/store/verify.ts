import type { KeyObject } from 'node:crypto';
import { keyId, signatureVerifies } from '../support/digest.js';
import { describeSeq, verifyChain, type ChainProblem } from './chain.js';
import { checkpointVerifies, type Checkpoint } from './checkpoint.js';
import type { Head, LedgerEvent, LedgerRead } from './types.js';

export type LedgerProblemKind = ChainProblem['problem'] | 'truncated' | 'diverged' | 'unsigned' | 'bad-signature' | 'adopted' | 'checkpoint' | 'witness' | 'foreign';

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

interface SignatureOutcome {
  problem?: LedgerProblem;
  signed: number;
  firstSigned?: number;
  adoption?: Omit<Adoption, 'vouchedBy'>;
}

function adoptedHead(e: LedgerEvent): Head | undefined {
  const a = (e.data as { adopts?: { seq?: unknown; hash?: unknown } } | undefined)?.adopts;
  return a && typeof a.seq === 'number' && typeof a.hash === 'string' ? { seq: a.seq, hash: a.hash } : undefined;
}

// Every event signed, except a prefix begun before signing that one signed `ledger.adopted` event names.
function checkSignatures(events: LedgerEvent[], upTo: number, key: KeyObject, id: string, pendingOk: boolean): SignatureOutcome {
  let signed = 0;
  let first: LedgerEvent | undefined;
  let adoption: SignatureOutcome['adoption'];
  for (let i = 0; i < upTo; i++) {
    const e = events[i]!;
    if (typeof e.sig !== 'string') {
      if (first) return { signed, firstSigned: first.seq, adoption, problem: { seq: e.seq, index: i, problem: 'unsigned', detail: `${describeSeq(e)} is not signed, though every event since ${first.seq} is: it was added without the signing key` } };
      continue;
    }
    if (!signatureVerifies(e.hash, e.sig, key)) {
      return { signed, firstSigned: first?.seq, adoption, problem: { seq: e.seq, index: i, problem: 'bad-signature', detail: `${describeSeq(e)} carries a signature that does not verify with key ${id}: it was rewritten and re-hashed, or signed with another key` } };
    }
    signed++;
    if (first) continue;
    first = e;
    if (i === 0) continue;
    const adopts = e.type === 'ledger.adopted' ? adoptedHead(e) : undefined;
    const before = events[i - 1]!;
    if (!adopts || adopts.seq !== before.seq || adopts.hash !== before.hash) {
      return { signed, firstSigned: e.seq, problem: { seq: before.seq, index: i - 1, problem: 'unsigned', detail: `events ${events[0]!.seq}…${before.seq} are not signed and no signed ledger.adopted event adopts them: signatures were stripped, or events were written without the key` } };
    }
    adoption = { seq: adopts.seq, hash: adopts.hash, at: e.seq, actor: e.actor, time: e.time };
  }
  if (upTo === events.length && events.length && !first && !pendingOk) {
    const last = events[events.length - 1]!;
    return { signed, problem: { seq: last.seq, index: events.length - 1, problem: 'unsigned', detail: `no event is signed by key ${id}: the ledger was written without FLIPGATE_SIGNING_KEY, or rewritten by someone without the key` } };
  }
  return { signed, firstSigned: first?.seq, adoption };
}

/** How a head held elsewhere (a checkpoint, a witness, the view) compares with the ledger. */
function headProblem(events: LedgerEvent[], head: Head & { workflow?: string }, named: string, fix: string): LedgerProblem | undefined {
  const last = events[events.length - 1];
  const at = { seq: head.seq, index: Math.min(head.seq - 1, events.length) };
  if (last && head.workflow !== undefined && head.workflow !== last.workflow) return { ...at, problem: 'foreign', detail: `${named} is for workflow ${head.workflow}, this ledger is ${last.workflow}` };
  if (!last || last.seq < head.seq) {
    const from = (last?.seq ?? 0) + 1;
    return { seq: from, index: events.length, problem: 'truncated', detail: `the ledger ends at event ${last?.seq ?? 0}, but ${named} records event ${head.seq}: event${head.seq > from ? `s ${from}…${head.seq}` : ` ${from}`} were cut off — ${fix}` };
  }
  const e = events[head.seq - 1]!;
  if (e.hash !== head.hash) return { seq: e.seq, index: head.seq - 1, problem: 'diverged', detail: `${describeSeq(e)} differs from ${named} (hash ${e.hash.slice(0, 12)}…, there ${head.hash.slice(0, 12)}…): the ledger was rewritten after that head was recorded — ${fix}` };
  return undefined;
}

function signedHeadProblem(cp: Checkpoint, named: string, kind: 'checkpoint' | 'witness', key: KeyObject | undefined, take: string): LedgerProblem | undefined {
  const at = { seq: cp.seq, index: cp.seq - 1 };
  if (key && !cp.signature) return { ...at, problem: kind, detail: `${named} is not signed, so it cannot be trusted against key ${keyId(key)}: ${take}` };
  if (key && !checkpointVerifies(cp, key)) return { ...at, problem: kind, detail: `${named} carries a signature that does not verify with key ${keyId(key)}: it was altered or signed with another key` };
  return undefined;
}

const firstOf = (...ps: (LedgerProblem | undefined)[]): LedgerProblem | undefined => ps.find((p) => p !== undefined);

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
  const { events } = read;
  const notes: string[] = [];
  const chain = verifyChain(read);
  let problem: LedgerProblem | undefined = chain;
  const first = events[0];
  if (!problem && first && opts.workflow && first.workflow !== opts.workflow) {
    problem = { seq: first.seq, index: 0, problem: 'foreign', detail: `the ledger belongs to workflow ${first.workflow}, not ${opts.workflow}` };
  }
  const signedCount = events.filter((e) => typeof e?.sig === 'string').length;
  let signatures: LedgerVerification['signatures'] = { checked: false, signed: signedCount };
  const key = opts.publicKey;
  let adoption: Adoption | undefined;
  if (key) {
    const id = keyId(key);
    const s = checkSignatures(events, chain ? Math.min(chain.index, events.length) : events.length, key, id, !!opts.allowAdoption);
    signatures = { checked: true, keyId: id, signed: s.signed, firstSigned: s.firstSigned };
    if (!s.signed && events.length && opts.allowAdoption) notes.push(`no event is signed yet: the next event recorded with key ${id} adopts the ledger as it stands`);
    if (s.problem && (!problem || s.problem.index < problem.index)) problem = s.problem;
    if (s.adoption) {
      const cp = opts.checkpoint;
      const vouchedBy =
        opts.adopted && opts.adopted.seq === s.adoption.seq && opts.adopted.hash === s.adoption.hash ? 'adopted' :
        cp && cp.seq >= s.adoption.seq && checkpointVerifies(cp, key) && !headProblem(events, cp, 'the checkpoint', '') ? 'checkpoint' :
        undefined;
      adoption = { ...s.adoption, vouchedBy };
      const boundary = `events 1…${s.adoption.seq} were recorded unsigned and adopted at event ${s.adoption.at} (ledger.adopted by ${s.adoption.actor}, ${s.adoption.time}), which vouches for head ${s.adoption.seq}:${s.adoption.hash}`;
      if (vouchedBy) notes.push(`${boundary}; ${vouchedBy === 'adopted' ? 'you vouched for that head with --adopted' : 'a signed checkpoint covers it'}`);
      else if (opts.allowAdoption) notes.push(boundary);
      else problem ??= { seq: s.adoption.at, index: s.adoption.at - 1, problem: 'adopted', detail: `${boundary}: nothing proves those events were not rewritten before signing began — check them, then pass --adopted ${s.adoption.seq}:${s.adoption.hash}, or a signed checkpoint that covers event ${s.adoption.seq}` };
    }
    if (opts.adopted && !adoption) notes.push(`--adopted ${opts.adopted.seq}:${opts.adopted.hash.slice(0, 12)}… was given, but this ledger has no adoption boundary`);
  } else {
    notes.push(signedCount ? `${signedCount} signatures were not checked: pass --public-key or set FLIPGATE_VERIFY_KEY` : 'no signatures: a rewrite with recomputed hashes would not be detected without a signing key');
  }
  let checkpoint: LedgerVerification['checkpoint'];
  const cp = opts.checkpoint;
  if (cp) {
    checkpoint = { seq: cp.seq, hash: cp.hash, created: cp.created, signed: !!cp.signature, signatureChecked: !!key };
    problem ??= firstOf(signedHeadProblem(cp, `the checkpoint of ${cp.created}`, 'checkpoint', key, 'take checkpoints with flipgate audit checkpoint --key'), headProblem(events, cp, `the checkpoint of ${cp.created}`, 'restore the ledger from a copy'));
    if (cp.signature && !key) notes.push('the checkpoint is signed but its signature was not checked: pass --public-key');
  }
  let witness: LedgerVerification['witness'];
  const w = opts.witness;
  if (w?.head) {
    witness = { seq: w.head.seq, hash: w.head.hash, location: w.location, signed: !!w.head.signature, signatureChecked: !!key };
    const named = `the witness at ${w.location} (head of ${w.head.created})`;
    problem ??= firstOf(signedHeadProblem(w.head, named, 'witness', key, 'the witness is written with FLIPGATE_SIGNING_KEY set'), headProblem(events, w.head, named, 'restore the ledger from a copy'));
  } else if (w?.unreadable) {
    problem ??= { seq: events.length, index: Math.max(events.length - 1, 0), problem: 'witness', detail: `the witness at ${w.location} cannot be read (${w.unreadable}), so a cut-off or rewritten tail cannot be ruled out — make it reachable, or point --witness at a copy` };
  } else if (w) {
    notes.push(`the witness at ${w.location} holds no head yet: it is written after the next recorded event`);
  }
  if (opts.view) {
    problem ??= headProblem(events, opts.view.head, `the view ${opts.view.location}`, 'restore the ledger from a copy; if it was cut on purpose, delete the view and flipgate rebuilds it');
  }
  if (!cp && !w) notes.push(opts.view ? 'no checkpoint and no witness: events cut off the end are detected only against the view, which sits beside the ledger' : 'no checkpoint: events cut off the end of the ledger would not be detected');
  const head = events[events.length - 1];
  return {
    ok: !problem,
    workflow: first?.workflow,
    events: events.length,
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

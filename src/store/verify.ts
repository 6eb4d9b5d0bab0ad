import type { KeyObject } from 'node:crypto';
import { verifyChain, type ChainProblem } from './chain.js';
import { checkpointVerifies, type Checkpoint } from './checkpoint.js';
import { keyId, signatureVerifies } from './signing.js';
import type { LedgerEvent } from './types.js';

export type LedgerProblemKind = ChainProblem['problem'] | 'truncated' | 'diverged' | 'unsigned' | 'bad-signature' | 'checkpoint' | 'foreign';

export interface LedgerProblem {
  /** The first bad event's sequence number (for `truncated`, the first missing one). */
  seq: number;
  /** Its position in the ledger (0-based). */
  index: number;
  problem: LedgerProblemKind;
  detail: string;
}

export interface LedgerVerification {
  ok: boolean;
  workflow: string | undefined;
  events: number;
  head: { seq: number; hash: string } | undefined;
  /** The first problem; undefined when the ledger verifies. */
  problem: LedgerProblem | undefined;
  signatures: { checked: boolean; keyId?: string; signed: number; firstSigned?: number };
  checkpoint?: { seq: number; hash: string; created: string; signed: boolean; signatureChecked: boolean };
  /** What was not checked, and why: a pass means no more than these allow. */
  notes: string[];
}

export interface VerifyOptions {
  /** ed25519 public key: every signature must verify with it, and every event from the first signed one on must be signed. */
  publicKey?: KeyObject;
  /** Fails when the ledger is shorter than, or diverges from, this head. */
  checkpoint?: Checkpoint;
  /** The workflow the ledger must belong to. */
  workflow?: string;
}

const named = (e: LedgerEvent) => `event ${e.seq} (${e.type}${e.subject ? ` ${e.subject}` : ''})`;

function signatureProblem(events: LedgerEvent[], upTo: number, key: KeyObject, id: string): { problem?: LedgerProblem; signed: number; firstSigned?: number } {
  let signed = 0;
  let first: number | undefined;
  for (let i = 0; i < upTo; i++) {
    const e = events[i]!;
    if (typeof e.sig === 'string') {
      if (!signatureVerifies(e.hash, e.sig, key)) {
        return { signed, firstSigned: first, problem: { seq: e.seq, index: i, problem: 'bad-signature', detail: `${named(e)} carries a signature that does not verify with key ${id}: it was rewritten and re-hashed, or signed with another key` } };
      }
      signed++;
      first ??= e.seq;
    } else if (first !== undefined) {
      return { signed, firstSigned: first, problem: { seq: e.seq, index: i, problem: 'unsigned', detail: `${named(e)} is not signed, though every event since ${first} is: it was added without the signing key` } };
    }
  }
  if (upTo === events.length && events.length && first === undefined) {
    const last = events[events.length - 1]!;
    return { signed, problem: { seq: last.seq, index: events.length - 1, problem: 'unsigned', detail: `no event is signed by key ${id}: the ledger was written without FLIPGATE_SIGNING_KEY, or rewritten by someone without the key` } };
  }
  return { signed, firstSigned: first };
}

function checkpointProblem(events: LedgerEvent[], cp: Checkpoint, key: KeyObject | undefined): LedgerProblem | undefined {
  const head = events[events.length - 1];
  const at = { seq: cp.seq, index: Math.min(cp.seq - 1, events.length) };
  const when = `the checkpoint of ${cp.created}`;
  if (key && !cp.signature) return { ...at, problem: 'checkpoint', detail: `${when} is not signed, so it cannot be trusted against key ${keyId(key)}: take checkpoints with flipgate audit checkpoint --key` };
  if (key && !checkpointVerifies(cp, key)) return { ...at, problem: 'checkpoint', detail: `${when} carries a signature that does not verify with key ${keyId(key)}: the checkpoint was altered or signed with another key` };
  if (head && cp.workflow !== head.workflow) return { ...at, problem: 'foreign', detail: `${when} is for workflow ${cp.workflow}, this ledger is ${head.workflow}` };
  if (!head || head.seq < cp.seq) {
    const from = (head?.seq ?? 0) + 1;
    return { seq: from, index: events.length, problem: 'truncated', detail: `the ledger ends at event ${head?.seq ?? 0}, but ${when} records event ${cp.seq}: event${cp.seq > from ? `s ${from}…${cp.seq}` : ` ${from}`} were cut off` };
  }
  const e = events[cp.seq - 1]!;
  if (e.hash !== cp.hash) return { seq: e.seq, index: cp.seq - 1, problem: 'diverged', detail: `${named(e)} differs from ${when} (hash ${e.hash.slice(0, 12)}…, checkpoint ${cp.hash.slice(0, 12)}…): the ledger was rewritten after the checkpoint was taken` };
  return undefined;
}

/**
 * Checks a ledger: the hash chain (edited, removed, reordered, inserted events), with `publicKey` the
 * signatures (forged or re-hashed events), with `checkpoint` the tail (truncation, divergence).
 * Returns the first problem; never throws.
 * @example
 * const v = verifyLedger(await store.readEvents(), { publicKey, checkpoint });
 * if (!v.ok) console.error(`event ${v.problem!.seq}: ${v.problem!.detail}`);
 */
export function verifyLedger(events: LedgerEvent[], opts: VerifyOptions = {}): LedgerVerification {
  const notes: string[] = [];
  const chain = verifyChain(events);
  let problem: LedgerProblem | undefined = chain;
  const first = events[0];
  if (!problem && first && opts.workflow && first.workflow !== opts.workflow) {
    problem = { seq: first.seq, index: 0, problem: 'foreign', detail: `the ledger belongs to workflow ${first.workflow}, not ${opts.workflow}` };
  }
  const signedCount = events.filter((e) => typeof e?.sig === 'string').length;
  let signatures: LedgerVerification['signatures'] = { checked: false, signed: signedCount };
  if (opts.publicKey) {
    const id = keyId(opts.publicKey);
    const s = signatureProblem(events, chain ? chain.index : events.length, opts.publicKey, id);
    signatures = { checked: true, keyId: id, signed: s.signed, firstSigned: s.firstSigned };
    if (s.problem && (!problem || s.problem.index < problem.index)) problem = s.problem;
    if (!problem && s.firstSigned && s.firstSigned > 1) notes.push(`events 1…${s.firstSigned - 1} are not signed; the signature of event ${s.firstSigned} covers them through the chain`);
  } else {
    notes.push(signedCount ? `${signedCount} signatures were not checked: pass --public-key or set FLIPGATE_VERIFY_KEY` : 'no signatures: a rewrite with recomputed hashes would not be detected without a signing key');
  }
  let checkpoint: LedgerVerification['checkpoint'];
  if (opts.checkpoint) {
    const cp = opts.checkpoint;
    checkpoint = { seq: cp.seq, hash: cp.hash, created: cp.created, signed: !!cp.signature, signatureChecked: !!opts.publicKey };
    if (!problem) problem = checkpointProblem(events, cp, opts.publicKey);
    if (cp.signature && !opts.publicKey) notes.push('the checkpoint is signed but its signature was not checked: pass --public-key');
  } else {
    notes.push('no checkpoint: events cut off the end of the ledger would not be detected');
  }
  const head = events[events.length - 1];
  return {
    ok: !problem,
    workflow: first?.workflow,
    events: events.length,
    head: head && typeof head.seq === 'number' ? { seq: head.seq, hash: head.hash } : undefined,
    problem,
    signatures,
    checkpoint,
    notes,
  };
}

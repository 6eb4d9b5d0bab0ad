import crypto from 'node:crypto';
import { canonicalJson } from './canonical.js';
import type { Signer } from './signing.js';
import { GENESIS, type LedgerEvent, type NewEvent } from './types.js';

const sha256 = (text: string): string =>
  typeof crypto.hash === 'function' ? crypto.hash('sha256', text) : crypto.createHash('sha256').update(text).digest('hex');

const SURROGATE = /[\uD800-\uDFFF]/;

// True when JSON.stringify already yields the canonical form: keys sorted at every level, only JSON values.
function isCanonicalShape(v: unknown): boolean {
  if (typeof v === 'string') return !SURROGATE.test(v);
  if (typeof v === 'number') return Number.isFinite(v);
  if (v === null || typeof v === 'boolean') return true;
  if (typeof v !== 'object') return false;
  if (Array.isArray(v)) {
    for (const x of v) if (x === undefined || !isCanonicalShape(x)) return false;
    return true;
  }
  if (Object.getPrototypeOf(v) !== Object.prototype) return false;
  let prev: string | undefined;
  for (const k in v) {
    if ((prev !== undefined && !(prev < k)) || SURROGATE.test(k)) return false;
    const x = (v as Record<string, unknown>)[k];
    if (x === undefined || !isCanonicalShape(x)) return false;
    prev = k;
  }
  return true;
}

/** Canonical JSON (RFC 8785); events read back from a ledger written canonically take a fast path. */
export function canonicalText(value: unknown): string {
  return isCanonicalShape(value) ? JSON.stringify(value) : canonicalJson(value);
}

export function hashEvent(e: Omit<LedgerEvent, 'hash' | 'sig'>): string {
  return sha256(canonicalText(e));
}

/** The stored form of a sealed event: its canonical JSON, hash and signature included (one ledger line). */
export function eventText(e: LedgerEvent): string {
  return canonicalText(e);
}

/** Seals new events onto a chain whose last event is `last`; with `sign`, each carries `sig` over its hash. */
export function sealEvents(last: LedgerEvent | undefined, workflow: string, events: NewEvent[], now: () => Date = () => new Date(), sign?: Signer): LedgerEvent[] {
  let prev = last?.hash ?? GENESIS;
  let seq = last?.seq ?? 0;
  return events.map((e) => {
    const body = { ...stripUndefined(e), seq: ++seq, time: now().toISOString(), workflow, prev };
    const hash = hashEvent(body);
    const sealed = (sign ? { ...body, hash, sig: sign(hash) } : { ...body, hash }) as LedgerEvent;
    prev = sealed.hash;
    return sealed;
  });
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export interface ChainProblem {
  seq: number;
  index: number;
  problem: 'edited' | 'removed' | 'reordered' | 'inserted' | 'malformed';
  detail: string;
}

const HEX64 = /^[0-9a-f]{64}$/;

function malformed(e: unknown, index: number): string | undefined {
  if (typeof e !== 'object' || e === null || Array.isArray(e)) return `entry ${index + 1} is not a ledger event`;
  const x = e as Record<string, unknown>;
  if (x.malformed === true) return `line ${typeof x.line === 'number' ? x.line : index + 1} of the ledger is not JSON`;
  if (!Number.isSafeInteger(x.seq) || (x.seq as number) < 1) return `entry ${index + 1} has no valid sequence number`;
  if (typeof x.hash !== 'string' || !HEX64.test(x.hash)) return `event ${x.seq} has no valid hash`;
  if (typeof x.prev !== 'string') return `event ${x.seq} has no prev hash`;
  if (typeof x.type !== 'string' || typeof x.workflow !== 'string') return `event ${x.seq} has no type or workflow`;
  return undefined;
}

const named = (e: LedgerEvent) => `event ${e.seq} (${e.type}${e.subject ? ` ${e.subject}` : ''})`;

/** Recomputes the chain; returns the first problem, or undefined when intact. */
export function verifyChain(events: LedgerEvent[]): ChainProblem | undefined {
  let prev = GENESIS;
  let seq = 0;
  const workflow = events[0]?.workflow;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    const bad = malformed(e, i);
    if (bad) return { seq: seq + 1, index: i, problem: 'malformed', detail: `${bad}: it was damaged or written by hand` };
    const { hash, sig: _sig, ...body } = e;
    let recomputed: string;
    try {
      recomputed = hashEvent(body);
    } catch {
      recomputed = '';
    }
    if (recomputed !== hash) return { seq: e.seq, index: i, problem: 'edited', detail: `${named(e)} does not match its hash: a field was changed after it was recorded` };
    if (e.workflow !== workflow) return { seq: e.seq, index: i, problem: 'inserted', detail: `${named(e)} belongs to workflow ${e.workflow}, not ${workflow}: it was copied in from another ledger` };
    if (e.seq !== seq + 1 || e.prev !== prev) {
      const expected = seq + 1;
      if (e.seq < expected) {
        const twin = events.findIndex((x) => x?.seq === e.seq);
        return { seq: e.seq, index: i, problem: 'inserted', detail: `${named(e)} repeats event number ${e.seq} (entries ${twin + 1} and ${i + 1}): one of them was inserted` };
      }
      if (e.seq > expected) {
        const laterAt = events.findIndex((x, j) => j > i && x?.seq === expected);
        if (laterAt > i) return { seq: e.seq, index: i, problem: 'reordered', detail: `${named(e)} stands where event ${expected} belongs (event ${expected} comes ${laterAt - i} entr${laterAt - i === 1 ? 'y' : 'ies'} later): events were swapped or moved` };
        return { seq: e.seq, index: i, problem: 'removed', detail: `event ${expected}${e.seq > expected + 1 ? `…${e.seq - 1}` : ''} ${e.seq > expected + 1 ? 'are' : 'is'} missing before ${named(e)}: removed from the ledger` };
      }
      return { seq: e.seq, index: i, problem: 'inserted', detail: `${named(e)} does not follow event ${seq} (its prev hash differs): an event was inserted or replaced before it` };
    }
    prev = hash;
    seq = e.seq;
  }
  return undefined;
}

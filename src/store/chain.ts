import { canonicalJson, isCanonicalText, type Signer, sha256 } from '../support/digest.js';
import { type DamagedLine, GENESIS, type Head, type LedgerEvent, type LedgerRead, type LedgerVisitor, type NewEvent } from './types.js';

/** The hash of an event: SHA-256 over the canonical JSON of every field but `hash` and `sig`. */
export function hashEvent(e: Omit<LedgerEvent, 'hash' | 'sig'>): string {
  return sha256(canonicalJson(e));
}

/** The stored form of a sealed event: its canonical JSON, hash and signature included (one ledger line). */
export function eventText(e: LedgerEvent): string {
  return canonicalJson(e);
}

/**
 * Parses one stored line. A line must be exactly the canonical text of the event it parses to: a
 * duplicate key, a reordered key or extra whitespace makes two texts of one event, and only one is hashed.
 */
export function parseLine(text: string, line: number, index: number): { event?: LedgerEvent; damage?: DamagedLine; hash?: string } {
  let event: LedgerEvent;
  try {
    event = JSON.parse(text) as LedgerEvent;
  } catch {
    return {
      damage: { index, line, problem: 'malformed', detail: `line ${line} of the ledger is not JSON: it was damaged or written by hand` },
    };
  }
  if (isCanonicalText(text, event)) return { event, hash: hashOfLine(text, event) };
  let canonical: string | undefined;
  try {
    canonical = canonicalJson(event); // the slow way, for what the quick test cannot tell (integer-like keys)
  } catch {
    canonical = undefined;
  }
  if (canonical === text) return { event };
  const what =
    typeof event === 'object' && event !== null && Number.isSafeInteger((event as { seq?: unknown }).seq)
      ? `event ${(event as { seq: number }).seq} (line ${line})`
      : `line ${line}`;
  return {
    event: typeof event === 'object' && event !== null && !Array.isArray(event) ? event : undefined,
    damage: {
      index,
      line,
      problem: 'not-canonical',
      detail: `${what} is not canonical: its text is not the canonical JSON of the event it parses to (a duplicate key, reordered keys or added spaces), so what it says is not what was hashed`,
    },
  };
}

/**
 * The hash a canonical line's event should carry, from the line itself: its text without the `hash`
 * and `sig` members is the canonical text of the hashed body (keys are sorted, and neither member is
 * ever last). Only the top-level members can hold these exact values, so the first match is theirs.
 */
function hashOfLine(text: string, e: LedgerEvent): string | undefined {
  if (typeof e !== 'object' || e === null || typeof e.hash !== 'string' || (e.sig !== undefined && typeof e.sig !== 'string'))
    return undefined;
  let body = text.replace(`"hash":"${e.hash}",`, '');
  if (typeof e.sig === 'string') body = body.replace(`"sig":"${e.sig}",`, '');
  return body.length < text.length ? sha256(body) : undefined;
}

/** Hands one stored line to a visitor (its event, with the hash recomputed from it, and any damage); `index` is the number of events before it. Returns whether it held an event. */
export function visitLine(visitor: LedgerVisitor, text: string, line: number, index: number): boolean {
  const { event, damage, hash } = parseLine(text, line, index);
  if (damage) visitor.damage(damage);
  if (event) visitor.add(event, hash);
  return !!event;
}

/** A visitor that keeps what it is given: the whole ledger as read. */
export function collect(): LedgerVisitor & { read: LedgerRead } {
  const read: LedgerRead = { events: [], damaged: [], hashes: [] };
  return {
    read,
    add: (e, hash) => {
      read.events.push(e);
      read.hashes!.push(hash);
    },
    damage: (d) => void read.damaged.push(d),
  };
}

/** The event that adopts an unsigned ledger when signing starts: signed, naming the head it vouches for. */
function adoptionEvent(last: Head, actor: string, keyId: string): NewEvent {
  return {
    type: 'ledger.adopted',
    actor,
    cause: { kind: 'operator', command: 'signing started' },
    data: { adopts: { seq: last.seq, hash: last.hash }, keyId },
  };
}

/**
 * Seals new events onto a chain whose last event is `last`; with `sign`, each carries `sig` over its
 * hash, and an unsigned ledger is first adopted by one signed `ledger.adopted` event naming its head.
 */
export function sealEvents(
  last: (Head & { sig?: string }) | undefined,
  workflow: string,
  events: NewEvent[],
  now: () => Date = () => new Date(),
  sign?: Signer,
): LedgerEvent[] {
  let prev = last?.hash ?? GENESIS;
  let seq = last?.seq ?? 0;
  const all =
    sign && last && typeof last.sig !== 'string' && events.length ? [adoptionEvent(last, events[0]!.actor, sign.keyId), ...events] : events;
  return all.map((e) => {
    const body = { ...stripUndefined(e), seq: ++seq, time: now().toISOString(), workflow, prev };
    const hash = hashEvent(body);
    const sealed: LedgerEvent = sign ? { ...body, hash, sig: sign(hash) } : { ...body, hash };
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
  problem: 'edited' | 'removed' | 'reordered' | 'inserted' | 'malformed' | 'not-canonical';
  detail: string;
}

function malformed(e: LedgerEvent, index: number): string | undefined {
  if (typeof e !== 'object' || e === null || Array.isArray(e)) return `entry ${index + 1} is not a ledger event`;
  if (!Number.isSafeInteger(e.seq) || e.seq < 1) return `entry ${index + 1} has no valid sequence number`;
  if (typeof e.hash !== 'string' || e.hash.length !== 64) return `event ${e.seq} has no valid hash`; // its digits are checked against the recomputed hash
  if (typeof e.prev !== 'string') return `event ${e.seq} has no prev hash`;
  if (typeof e.type !== 'string' || typeof e.workflow !== 'string') return `event ${e.seq} has no type or workflow`;
  if (typeof e.cause !== 'object' || e.cause === null) return `event ${e.seq} has no cause`;
  return undefined;
}

/** Whether a parsed entry has an event's shape at all (its hash and chain are checked elsewhere). */
export const isWellFormed = (e: LedgerEvent): boolean => malformed(e, 0) === undefined;

export const describeSeq = (e: LedgerEvent) => `event ${e.seq} (${e.type}${e.subject ? ` ${e.subject}` : ''})`;

/**
 * Whether one event is well-formed and matches its own hash (the tail check of a view, and every
 * event of a chain); `recomputed` is its body's hash when the reader already computed it from the line.
 */
export function eventProblem(e: LedgerEvent, index: number, recomputed?: string): ChainProblem | undefined {
  const bad = malformed(e, index);
  if (bad)
    return {
      seq: Number.isSafeInteger(e?.seq) ? e.seq : index + 1,
      index,
      problem: 'malformed',
      detail: `${bad}: it was damaged or written by hand`,
    };
  const { hash, sig: _sig, ...body } = e;
  if (recomputed === undefined) {
    try {
      recomputed = hashEvent(body);
    } catch {
      recomputed = '';
    }
  }
  if (recomputed !== hash)
    return {
      seq: e.seq,
      index,
      problem: 'edited',
      detail: `${describeSeq(e)} does not match its hash: a field was changed after it was recorded`,
    };
  return undefined;
}

/**
 * Recomputes the chain; returns the first problem, naming it from the whole array (a swap is
 * "reordered", not "removed"), or undefined when intact. A damaged line counts where it stands.
 */
export function verifyChain(read: LedgerEvent[] | LedgerRead): ChainProblem | undefined {
  const { events, damaged, hashes } = Array.isArray(read) ? { events: read, damaged: [], hashes: undefined } : read;
  let prev = GENESIS;
  let seq = 0;
  const workflow = events[0]?.workflow;
  const damage = damaged[0];
  for (let i = 0; i < events.length; i++) {
    if (damage && damage.index <= i) return { seq: seq + 1, index: damage.index, problem: damage.problem, detail: damage.detail };
    const e = events[i]!;
    const bad = eventProblem(e, i, hashes?.[i]);
    if (bad) return bad;
    if (e.workflow !== workflow)
      return {
        seq: e.seq,
        index: i,
        problem: 'inserted',
        detail: `${describeSeq(e)} belongs to workflow ${e.workflow}, not ${workflow}: it was copied in from another ledger`,
      };
    if (e.seq !== seq + 1 || e.prev !== prev) {
      const expected = seq + 1;
      if (e.seq < expected) {
        const twin = events.findIndex((x) => x?.seq === e.seq);
        return {
          seq: e.seq,
          index: i,
          problem: 'inserted',
          detail: `${describeSeq(e)} repeats event number ${e.seq} (entries ${twin + 1} and ${i + 1}): one of them was inserted`,
        };
      }
      if (e.seq > expected) {
        const laterAt = events.findIndex((x, j) => j > i && x?.seq === expected);
        if (laterAt > i)
          return {
            seq: e.seq,
            index: i,
            problem: 'reordered',
            detail: `${describeSeq(e)} stands where event ${expected} belongs (event ${expected} comes ${laterAt - i} entr${laterAt - i === 1 ? 'y' : 'ies'} later): events were swapped or moved`,
          };
        return {
          seq: e.seq,
          index: i,
          problem: 'removed',
          detail: `event ${expected}${e.seq > expected + 1 ? `…${e.seq - 1}` : ''} ${e.seq > expected + 1 ? 'are' : 'is'} missing before ${describeSeq(e)}: removed from the ledger`,
        };
      }
      return {
        seq: e.seq,
        index: i,
        problem: 'inserted',
        detail: `${describeSeq(e)} does not follow event ${seq} (its prev hash differs): an event was inserted or replaced before it`,
      };
    }
    prev = e.hash;
    seq = e.seq;
  }
  return damage && { seq: seq + 1, index: damage.index, problem: damage.problem, detail: damage.detail };
}

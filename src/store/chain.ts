import { digest } from '../support/digest.js';
import { GENESIS, type LedgerEvent, type NewEvent } from './types.js';

export function hashEvent(e: Omit<LedgerEvent, 'hash' | 'sig'>): string {
  return digest(e);
}

/** Seals new events onto a chain whose last event is `last`. */
export function sealEvents(last: LedgerEvent | undefined, workflow: string, events: NewEvent[], now: () => Date = () => new Date()): LedgerEvent[] {
  let prev = last?.hash ?? GENESIS;
  let seq = last?.seq ?? 0;
  return events.map((e) => {
    const body = { ...stripUndefined(e), seq: ++seq, time: now().toISOString(), workflow, prev };
    const sealed = { ...body, hash: hashEvent(body) } as LedgerEvent;
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

/** Recomputes the chain; returns the first problem, or undefined when intact. */
export function verifyChain(events: LedgerEvent[]): ChainProblem | undefined {
  let prev = GENESIS;
  let seq = 0;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (typeof e !== 'object' || e === null || typeof e.hash !== 'string' || typeof e.seq !== 'number') {
      return { seq: seq + 1, index: i, problem: 'malformed', detail: `entry ${i + 1} is not a ledger event` };
    }
    const { hash, sig: _sig, ...body } = e;
    const recomputed = hashEvent(body);
    if (recomputed !== hash) return { seq: e.seq, index: i, problem: 'edited', detail: `event ${e.seq} (${e.type}) does not match its hash: a field was changed` };
    if (e.seq !== seq + 1 || e.prev !== prev) {
      const expectedLater = events.slice(i + 1).some((x) => x?.seq === seq + 1);
      if (e.seq !== seq + 1 && expectedLater) {
        return { seq: e.seq, index: i, problem: 'reordered', detail: `event ${e.seq} stands where event ${seq + 1} belongs: events were swapped or moved` };
      }
      if (e.seq > seq + 1) return { seq: e.seq, index: i, problem: 'removed', detail: `event ${seq + 1}${e.seq > seq + 2 ? `…${e.seq - 1}` : ''} is missing before event ${e.seq}` };
      if (e.seq <= seq) return { seq: e.seq, index: i, problem: 'inserted', detail: `event ${e.seq} is repeated or inserted after event ${seq}` };
      return { seq: e.seq, index: i, problem: 'inserted', detail: `event ${e.seq} does not follow event ${seq} (its prev hash differs): an event was inserted or replaced` };
    }
    prev = hash;
    seq = e.seq;
  }
  return undefined;
}

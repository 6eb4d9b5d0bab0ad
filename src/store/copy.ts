import { ConfigError } from '../errors.js';
import type { LedgerEvent, WorkflowStore } from './types.js';
import { type LedgerVerification, type VerifyOptions, verifyLedger } from './verify.js';

export interface CopyResult {
  ok: boolean;
  workflow: string | undefined;
  from: string;
  to: string;
  /** Events written to the destination now. */
  copied: number;
  /** Events the destination already held (an earlier copy), identical to the source's. */
  alreadyThere: number;
  head: { seq: number; hash: string } | undefined;
  source: LedgerVerification;
  /** The destination's ledger checked after the copy. */
  arrival: LedgerVerification | undefined;
  /** Why the copy stopped, or why the arrival is not the source. */
  problem: string | undefined;
}

function firstDifference(dest: LedgerEvent[], source: LedgerEvent[]): number {
  for (let i = 0; i < dest.length; i++) if (dest[i]?.hash !== source[i]?.hash) return i;
  return -1;
}

/**
 * Copies a ledger between stores unchanged (hashes and signatures kept), then reads it back from the
 * destination and verifies it there. The source must verify; the destination must be empty or hold the
 * same ledger up to some event (the copy then resumes). Stores must be opened for the same workflow.
 * @example
 * const r = await copyLedger(await openStore('state/o8.json', id), await openStore(process.env.FLIPGATE_STORE!, id));
 */
export async function copyLedger(from: WorkflowStore, to: WorkflowStore, opts: VerifyOptions = {}): Promise<CopyResult> {
  if (!to.importEvents)
    throw new ConfigError(`the store at ${to.location} cannot take copied events`, {
      place: { field: '--to' },
      fix: 'copy into a file path or a postgres:// URL',
    });
  const read = await from.readLedger();
  const source = read.events;
  const sv = verifyLedger(read, opts);
  const base = {
    workflow: sv.workflow ?? opts.workflow,
    from: from.location,
    to: to.location,
    copied: 0,
    alreadyThere: 0,
    head: sv.head,
    source: sv,
    arrival: undefined,
  };
  if (!sv.ok) return { ...base, ok: false, problem: `the source does not verify, so nothing was copied: ${sv.problem!.detail}` };
  const dest = await to.readEvents();
  const diff = firstDifference(dest, source);
  if (diff >= 0 || dest.length > source.length) {
    const at = diff >= 0 ? diff : source.length;
    return {
      ...base,
      ok: false,
      problem: `the destination already holds a different ledger of ${base.workflow} (its entry ${at + 1} is not the source's), so nothing was copied`,
    };
  }
  const rest = source.slice(dest.length);
  await to.importEvents(rest);
  const arrivedRead = await to.readLedger();
  const arrived = arrivedRead.events;
  const av = verifyLedger(arrivedRead, opts);
  const same = arrived.length === source.length && arrived[arrived.length - 1]?.hash === source[source.length - 1]?.hash;
  const problem = !av.ok
    ? `the copy does not verify at ${to.location}: ${av.problem!.detail}`
    : !same
      ? `the destination's head (event ${av.head?.seq ?? 0}) is not the source's (event ${sv.head?.seq ?? 0})`
      : undefined;
  return { ...base, ok: !problem, copied: rest.length, alreadyThere: dest.length, arrival: av, problem };
}

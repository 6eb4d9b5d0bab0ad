import type { KeyObject } from 'node:crypto';
import type { LoadedWorkflow } from '../../spec/load.js';
import { eventProblem, isWellFormed } from '../../store/chain.js';
import type { Checkpoint } from '../../store/checkpoint.js';
import type { Head, LedgerEvent, LedgerTail, StoredView, WorkflowStore } from '../../store/types.js';
import { type LedgerProblem, LedgerScan, type LedgerVerification, type VerifyOptions, verifyLedger } from '../../store/verify.js';
import type { Witness } from '../../store/witness.js';
import { signatureVerifies } from '../../support/digest.js';
import { foldEvent, replay, type WorkflowView } from './view.js';

/** Bump when foldEvent changes what it records: a stored view of another version is rebuilt. */
export const FOLD_VERSION = 2;

/** What the store keeps as the view's body. */
interface ViewBody {
  fold: number;
  view: WorkflowView;
}

/** The view a command may believe, and how it was obtained. */
export interface CheckedView {
  view: WorkflowView;
  /** `view`: the stored view, whose head is the ledger's intact last event; `rebuilt`: folded from the whole ledger. */
  source: 'view' | 'rebuilt';
  /** Why the stored view was not used (for the note a command prints). */
  reason?: string;
  /** What is wrong with the ledger (truncated, diverged, edited …): the view then shows the ledger as it stands. */
  problem?: LedgerProblem;
  /** The whole ledger's verification, when it was read. */
  verification?: LedgerVerification;
}

export interface ViewCheckOptions {
  workflow: string;
  /** Events must carry valid signatures by this key (from where a ledger begun unsigned was adopted). */
  verifyKey?: KeyObject;
  witness?: Witness;
  /** Read and verify the whole ledger whatever the view says (the flip). */
  fromLedger?: boolean;
  /** The operator's vouchers for the full verification: a checkpoint, an adopted head. */
  vouch?: Pick<VerifyOptions, 'checkpoint' | 'adopted'>;
}

function bodyOf(raw: unknown): WorkflowView | undefined {
  const b = raw as Partial<ViewBody> | null;
  return b && b.fold === FOLD_VERSION && typeof b.view === 'object' && b.view !== null ? b.view : undefined;
}

export const viewBody = (view: WorkflowView): ViewBody => ({ fold: FOLD_VERSION, view });

// Whether the ledger's last line is an intact event (canonical, matching its hash, signed when a key is set) at `head`.
function tailIsHead(tail: LedgerTail, head: Head | undefined, key: KeyObject | undefined): boolean {
  const last = tail.last;
  if (!head || !last) return !head && !last && !tail.lastDamaged;
  if (tail.lastDamaged || last.seq !== head.seq || last.hash !== head.hash || eventProblem(last, 0)) return false;
  return !key || (typeof last.sig === 'string' && signatureVerifies(last.hash, last.sig, key));
}

function why(tail: LedgerTail, head: Head | undefined, key: KeyObject | undefined): string {
  const last = tail.last;
  if (tail.lastDamaged) return `the ledger's last line is ${tail.lastDamaged === 'malformed' ? 'not JSON' : 'not canonical'}`;
  if (!head) return `the view has no events, the ledger ends at event ${last?.seq}`;
  if (!last) return `the ledger is empty, the view had seen event ${head.seq}`;
  if (last.seq > head.seq)
    return `the ledger ends at event ${last.seq}, the view had seen event ${head.seq} (a command stopped before updating the view, or another program wrote the ledger)`;
  if (last.seq < head.seq) return `the ledger ends at event ${last.seq}, the view had seen event ${head.seq}`;
  if (last.hash !== head.hash) return `the ledger's last event is not the one the view was built from`;
  if (key && typeof last.sig !== 'string')
    return `the ledger's last event is not signed, though a signing key is configured (it is adopted by the next event recorded with the key)`;
  return `the ledger's last event does not match its hash${key ? ' or its signature' : ''}`;
}

interface WitnessRead {
  head?: Checkpoint;
  unreadable?: string;
}

// A witness that cannot be read is not an error that stops a command: it is a problem the verification names.
async function readWitness(witness: Witness | undefined, workflow: string): Promise<WitnessRead> {
  try {
    const head = await witness?.read(workflow);
    return head ? { head } : {};
  } catch (e) {
    return { unreadable: (e as Error).message.split('\n')[0] };
  }
}

// With a witness: does the head it holds lie in the ledger that ends at `head`? (cheap: the witness is usually the head)
async function witnessAgrees(
  store: WorkflowStore,
  held: Checkpoint | undefined,
  head: Head | undefined,
  key: KeyObject | undefined,
): Promise<boolean> {
  if (!held) return true;
  if (!head || held.seq > head.seq) return false;
  if (key && !held.signature) return false;
  if (held.seq === head.seq) return held.hash === head.hash;
  return (await store.hashAt(held.seq)) === held.hash;
}

export interface StoredVerification {
  verification: LedgerVerification;
  /** The fold of the whole ledger as it stands. */
  view: WorkflowView;
  /** Its events, when asked to keep them (the audit's report). */
  events?: LedgerEvent[];
  /** Its last event (a checkpoint's head). */
  last?: LedgerEvent;
  /** Why the stored view could not serve as a witness (edited, missing …), if it could not. */
  viewRejected?: string;
}

/**
 * The whole ledger, read once and kept only if asked: verified against everything that can vouch
 * for it (the key, the witness, the stored view's head as a free local witness, the operator's
 * checkpoint or adopted head) and folded into a view on the same pass. A break in the chain is then
 * named from the whole ledger.
 */
export async function verifyStored(
  store: WorkflowStore,
  opts: ViewCheckOptions & { allowAdoption?: boolean; stored?: StoredView; witnessRead?: WitnessRead; keep?: boolean },
): Promise<StoredVerification> {
  const stored = opts.stored ?? (await store.readView());
  const { head: witnessHead, unreadable } = opts.witnessRead ?? (await readWitness(opts.witness, opts.workflow));
  const viewHead = stored.state === 'sealed' ? bodyOf(stored.body)?.head : undefined;
  const verify: VerifyOptions = {
    publicKey: opts.verifyKey,
    workflow: opts.workflow,
    allowAdoption: !!opts.allowAdoption,
    ...opts.vouch,
    ...(opts.witness ? { witness: { head: witnessHead, location: opts.witness.location, ...(unreadable ? { unreadable } : {}) } } : {}),
    ...(viewHead ? { view: { head: viewHead, location: store.viewLocation } } : {}),
  };
  const scan = new LedgerScan(verify);
  const view = replay([]);
  const events: LedgerEvent[] | undefined = opts.keep ? [] : undefined;
  let last: LedgerEvent | undefined;
  await store.scan({
    add(e, hash) {
      scan.add(e, hash);
      // An entry without an event's shape is named by the verification; the fold and the report skip it.
      if (!isWellFormed(e)) return;
      foldEvent(view, e);
      events?.push(e);
      last = e;
    },
    damage: (d) => scan.damage(d),
  });
  const verification = scan.chainBroken ? verifyLedger(await store.readLedger(), verify) : scan.result();
  const viewRejected =
    stored.state === 'rejected'
      ? stored.why
      : stored.state === 'sealed' && !bodyOf(stored.body)
        ? `the view ${store.viewLocation} was written by another version of flipgate`
        : undefined;
  return { verification, view, ...(events ? { events } : {}), ...(last ? { last } : {}), ...(viewRejected ? { viewRejected } : {}) };
}

/**
 * The view of a workflow, checked before it is believed: the stored view is used only when its seal
 * holds and its head is the ledger's intact last event (and the witness, if any, agrees). Otherwise the
 * view is rebuilt from the whole ledger, which is verified on the way — against the stored view's head
 * too, so a ledger shorter than the view is named as truncated.
 * @example
 * const { view, source, reason, problem } = await checkView(store, { workflow: 'o8-production-readiness' });
 */
export async function checkView(store: WorkflowStore, opts: ViewCheckOptions): Promise<CheckedView> {
  const [stored, tail, witnessRead] = await Promise.all([store.readView(), store.tail(), readWitness(opts.witness, opts.workflow)]);
  const storedView = stored.state === 'sealed' ? bodyOf(stored.body) : undefined;
  const key = opts.verifyKey;
  if (
    storedView &&
    !opts.fromLedger &&
    !witnessRead.unreadable &&
    tailIsHead(tail, storedView.head, key) &&
    (await witnessAgrees(store, witnessRead.head, storedView.head, key))
  ) {
    return { view: storedView, source: 'view' };
  }
  const reason = opts.fromLedger
    ? undefined
    : stored.state === 'missing'
      ? tail.last
        ? `there is no view at ${store.viewLocation} yet`
        : undefined
      : stored.state === 'rejected'
        ? stored.why
        : !storedView
          ? `the view ${store.viewLocation} was written by another version of flipgate`
          : !tailIsHead(tail, storedView.head, key)
            ? why(tail, storedView.head, key)
            : witnessRead.unreadable
              ? `the witness at ${opts.witness!.location} cannot be read`
              : 'the witness does not hold a head of this ledger';
  const { view, verification } = await verifyStored(store, { ...opts, allowAdoption: !opts.fromLedger, stored, witnessRead });
  return {
    view,
    source: 'rebuilt',
    ...(reason ? { reason } : {}),
    ...(verification.problem ? { problem: verification.problem } : {}),
    verification,
  };
}

/** What reading a checked view needs of a session (status reads it without the machine or the probes). */
export interface ViewReader {
  store: WorkflowStore;
  wf: LoadedWorkflow;
  verifyKey: KeyObject | undefined;
  witness: Witness | undefined;
  note(note: string): void;
}

/** The checked view of a workflow (see checkView); tells the reader when it was rebuilt, and why. */
export async function readView(reader: ViewReader, opts: Pick<ViewCheckOptions, 'fromLedger' | 'vouch'> = {}): Promise<CheckedView> {
  const checked = await checkView(reader.store, {
    workflow: reader.wf.spec.id,
    verifyKey: reader.verifyKey,
    witness: reader.witness,
    ...opts,
  });
  if (checked.reason) reader.note(`the view was rebuilt from the ledger: ${checked.reason}`);
  return checked;
}

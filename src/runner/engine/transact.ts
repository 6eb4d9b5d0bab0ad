import { Refusal } from '../../errors.js';
import { isKnownState, MachineRun, type Step } from '../../machine/state.js';
import type { Cause, LedgerEvent, StoreTx } from '../../store/types.js';
import type { VerifyOptions } from '../../store/verify.js';
import { dropJournaled, journalPath, readJournal, replayJournaled } from './disable-journal.js';
import { type NewRecordedEvent, operatorCause, recorded as recordedEvent } from './events.js';
import { type CheckedView, readView, viewBody } from './ledger-view.js';
import type { ProbeRound } from './probe-round.js';
import type { Session } from './session.js';
import { checksCause, foldEvents, type WorkflowView } from './view.js';

/** A workflow update in progress: the checked view, the machine resumed at its state, and events to append. */
export interface WorkflowTx {
  /** The view as checked under the lock (with the whole ledger when it was read). */
  checked: CheckedView;
  /** Where the workflow stood before this update. */
  view: WorkflowView;
  run: MachineRun;
  pending: NewRecordedEvent[];
  tx: StoreTx;
  /** Records a state change of the machine with its cause. */
  transition(step: Step | undefined, cause: Cause): void;
  /** Appends what is pending now (before an irreversible act, so the ledger shows it even if the process dies). */
  flush(): Promise<void>;
}

export interface UpdateOptions {
  /** Rebuild from the whole ledger, verified, whatever the stored view says (the flip). */
  fromLedger?: boolean;
  /**
   * What to do on a ledger that fails its checks (truncated, diverged, edited …); by default refuse.
   * `record`: go on and record (the disable, which must act; watch, which must keep watching the host).
   * `read`: go on but record nothing (the flip, whose ledger guard then refuses with the evidence).
   */
  tolerate?: 'record' | 'read';
  /** What the operator vouches for in the full verification (a checkpoint, an adopted head). */
  vouch?: Pick<VerifyOptions, 'checkpoint' | 'adopted'>;
}

export function initialState(session: Session): string {
  const first = session.plan.steps[0]!;
  return `${first.gate}.${first.gaps[0] ?? 'passed'}`;
}

const problemText = (c: CheckedView) => `event ${c.problem!.seq} — ${c.problem!.problem}: ${c.problem!.detail}`;

/**
 * Runs `fn` under the store's lock on the checked view, then appends what it recorded, folds it into
 * the view and stores the view (and sends the new head to the witness). A ledger that fails its checks
 * (truncated, diverged, edited …) is refused, unless `tolerate` says otherwise; what is then recorded
 * moves neither the stored view nor the witness on, so the next command finds the problem again.
 * The first event of a ledger (and any event after a spec change) anchors the spec's hash; a changed
 * spec sends the workflow back to its first gate, since what was proven was proven against another spec.
 */
export async function updateWorkflow<T>(
  session: Session,
  fn: (w: WorkflowTx) => Promise<T>,
  opts: UpdateOptions = {},
): Promise<{ result: T; recorded: LedgerEvent[]; view: WorkflowView; checked: CheckedView }> {
  return session.store.transact(async (tx) => {
    const checked = await readView(session, opts);
    if (checked.problem) {
      if (!opts.tolerate)
        throw new Refusal(
          `the ledger at ${session.store.location} does not verify: ${problemText(checked)}`,
          'nothing was recorded; run flipgate audit verify',
        );
      session.note(
        opts.tolerate === 'record'
          ? `the ledger does not verify (${problemText(checked)}); recording anyway, without moving the view or the witness on`
          : `the ledger does not verify (${problemText(checked)}); nothing is recorded`,
      );
    }
    const view = checked.view;
    const current: WorkflowView = structuredClone(view);
    const pending: NewRecordedEvent[] = [];
    if (view.specHash !== session.wf.hash) {
      pending.push({
        type: 'workflow.anchored',
        actor: session.actor,
        cause: operatorCause('anchor'),
        from: view.specHash,
        to: session.wf.hash,
        data: {
          specHash: session.wf.hash,
          sourceHash: session.wf.sourceHash,
          file: session.wf.file,
          workflow: session.wf.spec.id,
          title: session.wf.spec.title,
          vars: session.wf.vars,
        },
      });
    }
    let state = view.state;
    const initial = initialState(session);
    if (state === undefined || (view.specHash !== undefined && view.specHash !== session.wf.hash) || !isKnownState(session.plan, state)) {
      const keep = state !== undefined && ['halted', 'flipping', 'flipped'].includes(state);
      if (state !== initial && !keep) {
        pending.push({
          type: 'transition',
          actor: session.actor,
          cause: operatorCause(state === undefined ? 'start' : 'spec changed'),
          from: state,
          to: initial,
          data: undefined,
        });
        state = initial;
      }
    }
    const run = new MachineRun(session.machine, state);
    const recorded: LedgerEvent[] = [];
    const trusted = !checked.problem;
    const w: WorkflowTx = {
      checked,
      view,
      run,
      pending,
      tx,
      transition(step, cause) {
        if (!step) return;
        pending.push({
          type: 'transition',
          actor: session.actor,
          cause,
          from: step.from,
          to: step.to,
          subject: step.to.split('.')[0],
          data: { event: step.event },
        });
      },
      async flush() {
        const batch = pending.splice(0);
        if (checked.problem && opts.tolerate !== 'record') return;
        const appended = await tx.append(batch);
        if (!appended.length) return;
        recorded.push(...appended);
        foldEvents(current, appended);
        const adoption = appended.map(recordedEvent).find((e) => e?.type === 'ledger.adopted');
        if (adoption?.type === 'ledger.adopted') {
          const { seq, hash } = adoption.data.adopts;
          session.note(
            `signing began: events 1…${seq} were recorded unsigned, and event ${adoption.seq} (ledger.adopted) adopts them; audit verify and the flip refuse that boundary until you pass --adopted ${seq}:${hash} after checking those events, or a signed checkpoint that covers them`,
          );
        }
        if (trusted && session.witness) {
          const head = appended[appended.length - 1]!;
          await session.witness
            .record(head, session.signingKey)
            .catch((e: Error) =>
              session.note(
                `the witness at ${session.witness!.location} was not updated: ${e.message.split('\n')[0]} — the events are recorded; the next command updates it`,
              ),
            );
        }
      },
    };
    // A disable that acted while the store could not take its record left it in the journal: it goes in first.
    const journal = trusted || opts.tolerate === 'record' ? await pendingJournal(session) : undefined;
    for (const entry of journal?.entries ?? []) replayJournaled(session, w, entry);
    try {
      const result = await fn(w);
      await w.flush();
      if (journal?.entries.length) await dropJournaled(journal.file, journal.text);
      if (trusted && (recorded.length || checked.source === 'rebuilt')) {
        await tx
          .writeView(viewBody(current))
          .catch((e: Error) =>
            session.note(
              `the view ${session.store.viewLocation} was not written (${e.message.split('\n')[0]}); the next command rebuilds it from the ledger`,
            ),
          );
      }
      return { result, recorded, view: current, checked };
    } finally {
      run.stop();
    }
  });
}

async function pendingJournal(session: Session) {
  const file = journalPath(session.store.location, session.wf.spec.id, session.env);
  const read = await readJournal(file).catch((e: Error) => {
    session.note(`the disable journal ${file} cannot be read (${e.message.split('\n')[0]})`);
    return undefined;
  });
  if (read?.entries.length)
    session.note(`${read.entries.length} disable(s) that could not be recorded when they ran are appended from ${file}`);
  return read && { file, ...read };
}

/** Probe cause for the checks behind one GAP (or the kill switch) in a round. */
export function probeCause(round: ProbeRound, owner: string): Cause {
  return checksCause(round.survey.checks.filter((c) => c.owner.id === owner));
}

/** Feeds a round to the machine: the kill switch first, then each GAP in gate order. */
export function feedRound(session: Session, w: WorkflowTx, round: ProbeRound): void {
  w.transition(w.run.send({ type: 'killswitch.read', reading: round.killSwitch.status }), probeCause(round, 'killSwitch'));
  for (const gap of session.plan.order) {
    const v = round.verdicts.get(gap);
    if (v) w.transition(w.run.send({ type: 'gap.verdict', gap, status: v.status }), probeCause(round, gap));
  }
}

import { isKnownState, MachineRun, type Step } from '../machine/state.js';
import type { NewEvent, LedgerEvent, StoreTx, Cause } from '../store/types.js';
import type { ProbeRound } from './probe-round.js';
import type { Session } from './session.js';
import { checksCause, replay, type WorkflowView } from './view.js';

/** A workflow update in progress: the replayed view, the machine resumed at its state, and events to append. */
export interface WorkflowTx {
  /** The ledger as read under the lock. */
  events: LedgerEvent[];
  view: WorkflowView;
  run: MachineRun;
  pending: NewEvent[];
  tx: StoreTx;
  /** Records a state change of the machine with its cause. */
  transition(step: Step | undefined, cause: Cause): void;
  /** Appends what is pending now (before an irreversible act, so the ledger shows it even if the process dies). */
  flush(): Promise<void>;
}

export function initialState(session: Session): string {
  const first = session.plan.steps[0]!;
  return `${first.gate}.${first.gaps[0] ?? 'passed'}`;
}

/**
 * Runs `fn` under the store's lock with the ledger replayed, then appends what it recorded.
 * The first event of a ledger (and any event after a spec change) anchors the spec's hash; a changed
 * spec sends the workflow back to its first gate, since what was proven was proven against another spec.
 */
export async function updateWorkflow<T>(session: Session, fn: (w: WorkflowTx) => Promise<T>): Promise<{ result: T; recorded: LedgerEvent[]; view: WorkflowView }> {
  return session.store.transact(async (tx) => {
    const events = await tx.events();
    const view = replay(events);
    const pending: NewEvent[] = [];
    const operator = (command: string): Cause => ({ kind: 'operator', command });
    if (view.specHash !== session.wf.hash) {
      pending.push({
        type: 'workflow.anchored',
        actor: session.actor,
        cause: operator('anchor'),
        from: view.specHash,
        to: session.wf.hash,
        data: { specHash: session.wf.hash, sourceHash: session.wf.sourceHash, file: session.wf.file, workflow: session.wf.spec.id, title: session.wf.spec.title, vars: session.wf.vars },
      });
    }
    let state = view.state;
    const initial = initialState(session);
    if (state === undefined || (view.specHash !== undefined && view.specHash !== session.wf.hash) || !isKnownState(session.plan, state)) {
      const keep = state !== undefined && ['halted', 'flipping', 'flipped'].includes(state);
      if (state !== initial && !keep) {
        pending.push({ type: 'transition', actor: session.actor, cause: operator(state === undefined ? 'start' : 'spec changed'), from: state, to: initial });
        state = initial;
      }
    }
    const run = new MachineRun(session.machine, state);
    const recorded: LedgerEvent[] = [];
    const w: WorkflowTx = {
      events,
      view,
      run,
      pending,
      tx,
      transition(step, cause) {
        if (!step) return;
        pending.push({ type: 'transition', actor: session.actor, cause, from: step.from, to: step.to, subject: step.to.split('.')[0], data: { event: step.event } });
      },
      async flush() {
        recorded.push(...(await tx.append(pending.splice(0))));
      },
    };
    try {
      const result = await fn(w);
      await w.flush();
      return { result, recorded, view: replay([...events, ...recorded]) };
    } finally {
      run.stop();
    }
  });
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

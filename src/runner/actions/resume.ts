import { Refusal } from '../../errors.js';
import type { LedgerEvent } from '../../store/types.js';
import { operatorCause } from '../engine/events.js';
import { probeRound, roundEvents } from '../engine/probe-round.js';
import type { Session } from '../engine/session.js';
import { feedRound, probeCause, updateWorkflow } from '../engine/transact.js';
import { buildReport, type StatusReport } from '../read-models/report.js';

export interface ResumeOutcome {
  resumed: boolean;
  message: string;
  to: string;
  report: StatusReport;
  recorded: LedgerEvent[];
}

/** Leaves `halted` only when the switch reads safe, then fast-forwards through every gate still proven. */
export async function resumeWorkflow(session: Session): Promise<ResumeOutcome> {
  const { result, recorded, view, checked } = await updateWorkflow(session, async (w) => {
    const state = () => w.run.state;
    if (state() !== 'halted')
      throw new Refusal(`the workflow is not halted (state ${state()})`, 'resume only leaves halted; see flipgate status');
    const round = await probeRound(session, w.view, { scope: 'resume' });
    w.pending.push(...roundEvents(session, w.view, round));
    w.transition(w.run.send({ type: 'resume', reading: round.killSwitch.status }), probeCause(round, 'killSwitch'));
    if (state() === 'halted') return { resumed: false, message: `still halted: the kill switch reads ${round.killSwitch.evidence}` };
    for (let guard = 0; guard < session.plan.steps.length + 1; guard++) {
      feedRound(session, w, round);
      if (!state().endsWith('.passed')) break;
      w.transition(w.run.send({ type: 'gate.advance' }), operatorCause('resume'));
    }
    return { resumed: true, message: `resumed at ${state()}` };
  });
  return { ...result, to: view.state ?? '', report: buildReport(session, view, checked), recorded };
}

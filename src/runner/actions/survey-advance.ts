import { satisfies } from '../../machine/guards.js';
import { topState } from '../../machine/state.js';
import type { LedgerEvent } from '../../store/types.js';
import { probeRound, roundEvents } from '../engine/probe-round.js';
import type { Session } from '../engine/session.js';
import { feedRound, updateWorkflow } from '../engine/transact.js';
import { buildReport, type StatusReport } from '../read-models/report.js';

export { readStatus } from '../read-models/read-status.js';

export interface SurveyOutcome {
  report: StatusReport;
  recorded: LedgerEvent[];
}

/**
 * Surveys every check of every GAP and section, read-only, and records what it saw: one `survey`
 * event, one `gap.status` event per GAP whose status changed, and any state change the verdicts
 * cause (an unsafe kill switch halts; a reopened GAP sends the workflow back). It never passes a gate.
 * @example
 * const { report } = await runSurvey(session);
 * report.gaps.map((g) => `${g.id} ${g.status}`);
 */
export async function runSurvey(session: Session): Promise<SurveyOutcome> {
  const { recorded, view, checked } = await updateWorkflow(session, async (w) => {
    const round = await probeRound(session, w.view, { scope: 'survey', sections: true });
    w.pending.push(...roundEvents(session, w.view, round));
    feedRound(session, w, round);
  });
  return { report: buildReport(session, view, checked), recorded };
}

export interface Blocker {
  gap: string;
  status: string;
  reasons: string[];
}

export interface AdvanceOutcome {
  outcome: 'advanced' | 'blocked' | 'halted' | 'armed' | 'flipped';
  from: string;
  to: string;
  message: string;
  blockers: Blocker[];
  report: StatusReport;
  recorded: LedgerEvent[];
}

/**
 * Probes the kill switch and the GAPs up to the current gate, records the verdicts, and moves one
 * gate on when every GAP the gate requires is proven; otherwise says exactly what blocks.
 */
export async function advanceWorkflow(session: Session): Promise<AdvanceOutcome> {
  const { result, recorded, view, checked } = await updateWorkflow(session, async (w) => {
    const from = w.run.state;
    const top = topState(from);
    if (top === 'halted')
      return {
        outcome: 'halted' as const,
        from,
        message: 'the workflow is halted: read the kill switch and run flipgate resume',
        blockers: [],
      };
    if (top === 'flipped' || top === 'flipping')
      return { outcome: 'flipped' as const, from, message: 'execution is already enabled; nothing to advance', blockers: [] };
    const idx = session.plan.steps.findIndex((s) => s.gate === top);
    const scope = top === 'armed' ? session.plan.steps : session.plan.steps.slice(0, idx + 1);
    const round = await probeRound(session, w.view, { scope: 'advance', gaps: scope.flatMap((s) => s.gaps) });
    w.pending.push(...roundEvents(session, w.view, round));
    feedRound(session, w, round);
    const after = w.run.state;
    if (topState(after) === 'halted') {
      return { outcome: 'halted' as const, from, message: `halted: the kill switch reads ${round.killSwitch.evidence}`, blockers: [] };
    }
    if (after.endsWith('.passed')) {
      w.transition(w.run.send({ type: 'gate.advance' }), { kind: 'operator', command: 'advance' });
      const to = w.run.state;
      return {
        outcome: topState(to) === 'armed' ? ('armed' as const) : ('advanced' as const),
        from,
        message: `${topState(after)} passed → ${topState(to)}`,
        blockers: [],
      };
    }
    if (topState(after) === 'armed')
      return { outcome: 'armed' as const, from, message: 'every gate has passed; the workflow is armed for the flip', blockers: [] };
    const gate = session.plan.steps.find((s) => s.gate === topState(after))!;
    const blockers: Blocker[] = gate.gaps
      .map((id) => ({ id, v: round.verdicts.get(id) }))
      .filter(({ id, v }) => !v || !satisfies(v.status, session.plan.gaps.get(id)?.waivable ?? true))
      .map(({ id, v }) => ({
        gap: id,
        status: v?.status ?? 'UNKNOWN',
        reasons: [
          ...(v?.blockedBy.length ? [`blocked by ${v.blockedBy.join(', ')}`] : []),
          ...round.survey.checks
            .filter((c) => c.owner.id === id && c.status !== 'pass')
            .map((c) => `${c.id} (${c.kind}): ${c.status} — ${c.evidence}`),
        ],
      }));
    const lateBlocked = gate.gaps.filter((id) => (session.plan.gaps.get(id)?.lateBlockers.length ?? 0) > 0);
    for (const id of lateBlocked) {
      const b = blockers.find((x) => x.gap === id);
      const late = session.plan.gaps.get(id)!.lateBlockers;
      const reason = `${id} is blocked by ${late.join(', ')}, which only a later gate proves: this gate can never pass (see flipgate check)`;
      if (b) b.reasons.unshift(reason);
      else blockers.push({ gap: id, status: round.verdicts.get(id)?.status ?? 'UNKNOWN', reasons: [reason] });
    }
    return {
      outcome: 'blocked' as const,
      from,
      message: `${topState(after)} is blocked by ${blockers.map((b) => `${b.gap} (${b.status})`).join(', ')}`,
      blockers,
    };
  });
  const report = buildReport(session, view, checked);
  return { ...result, to: view.state ?? result.from, report, recorded };
}

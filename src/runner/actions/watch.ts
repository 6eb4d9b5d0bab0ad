import { satisfies } from '../../machine/guards.js';
import { isWaivable } from '../../spec/waivers.js';
import { type ProbeRound, probeRound, roundEvents } from '../engine/probe-round.js';
import type { Session } from '../engine/session.js';
import { feedRound, probeCause, updateWorkflow } from '../engine/transact.js';
import { buildReport, type StatusReport } from '../read-models/report.js';
import { type DisableOutcome, disableWorkflow } from './disable.js';

export interface WatchOutcome {
  /** `on`: on a fleet, the hosts where the GAP no longer holds. */
  reopened: { gap: string; status: string; on?: string[] }[];
  disabled?: DisableOutcome;
  report: StatusReport;
}

/** "GAP-1 PARTIAL", or on a fleet "GAP-1 PARTIAL on web02". */
export const driftText = (r: { gap: string; status: string; on?: string[] }): string =>
  `${r.gap} ${r.status}${r.on?.length ? ` on ${r.on.join(', ')}` : ''}`;

/** On a fleet, the hosts where a GAP is not CLOSED in this round. */
const heldOn = (round: ProbeRound, gap: string): { on?: string[] } => {
  const hosts = round.survey.gaps[gap]?.hosts;
  return hosts
    ? {
        on: Object.entries(hosts)
          .filter(([, s]) => s !== 'CLOSED')
          .map(([h]) => h),
      }
    : {};
};

/** One watch round: a survey; after the flip, a GAP that no longer holds is drift, recorded and (if the spec says so) answered with the disable. */
export async function watchOnce(session: Session): Promise<WatchOutcome> {
  const { result, view, checked } = await updateWorkflow(
    session,
    async (w) => {
      const before = w.run.state;
      const round = await probeRound(session, w.view, { scope: 'watch', sections: true });
      w.pending.push(...roundEvents(session, w.view, round));
      const reopened =
        before === 'flipped'
          ? session.wf.spec.gaps
              .filter((g) => {
                const v = round.verdicts.get(g.id);
                return !v || !satisfies(v.status, isWaivable(session.wf.spec, g));
              })
              .map((g) => ({ gap: g.id, status: round.verdicts.get(g.id)?.status ?? 'UNKNOWN', ...heldOn(round, g.id) }))
          : [];
      for (const r of reopened)
        w.pending.push({
          type: 'drift.reopened',
          actor: session.actor,
          subject: r.gap,
          to: r.status,
          cause: probeCause(round, r.gap),
          data: { after: 'flip' },
        });
      feedRound(session, w, round);
      return reopened;
    },
    { tolerate: 'record' },
  );
  let disabled: DisableOutcome | undefined;
  if (result.length && session.wf.spec.watch?.onReopen === 'disable')
    disabled = await disableWorkflow(session, `drift after the flip: ${result.map(driftText).join(', ')}`);
  return { reopened: result, disabled, report: disabled?.report ?? buildReport(session, view, checked) };
}

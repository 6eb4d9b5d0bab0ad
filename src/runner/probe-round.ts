import type { GapStatus } from '../machine/types.js';
import type { CheckResult, Signoff } from '../probes/index.js';
import { confirmRead, readKillSwitch, switchPlan, switchRecord } from './kill-switch.js';
import type { CheckRecord, NewRecordedEvent, SurveyData, SwitchRecord } from './events.js';
import { blockersFirst, gapVerdict, type GapVerdict } from './gap-status.js';
import { runChecks, type PlannedCheck } from './run-checks.js';
import type { Session } from './session.js';
import { decisionStandings, signoffsByGap, type WaiverStanding } from './standing.js';
import { checksCause, checksDigest, type WorkflowView } from './view.js';

export interface RoundScope {
  /** Label recorded with the survey: survey, advance, flip, watch, resume. */
  scope: string;
  /** GAPs to probe (their blockers are added); all when undefined. */
  gaps?: string[];
  sections?: boolean;
}

export interface ProbeRound {
  survey: SurveyData;
  verdicts: Map<string, GapVerdict>;
  killSwitch: SwitchRecord;
  /** The sign-offs that counted in this round, per GAP. */
  signoffs: Map<string, Signoff[]>;
  /** Every recorded waiver's standing at this round. */
  waivers: WaiverStanding[];
}

function withBlockers(session: Session, ids: string[]): Set<string> {
  const out = new Set<string>();
  const add = (id: string) => {
    if (out.has(id)) return;
    out.add(id);
    for (const b of session.plan.gaps.get(id)?.blockedBy ?? []) add(b);
  };
  ids.forEach(add);
  return out;
}

function record(p: PlannedCheck, r: CheckResult): CheckRecord {
  return { ref: p.ref, id: p.check.id, kind: p.check.kind, owner: p.owner, ...(p.check.title ? { title: p.check.title } : {}), ...r };
}

/** Probes the kill switch and the chosen GAPs (and sections) and computes GAP statuses. Reads only. */
export async function probeRound(session: Session, view: WorkflowView, scope: RoundScope): Promise<ProbeRound> {
  const spec = session.wf.spec;
  const wanted = scope.gaps ? withBlockers(session, scope.gaps) : new Set(spec.gaps.map((g) => g.id));
  const gaps = blockersFirst(spec.gaps).filter((g) => wanted.has(g.id));
  const planned: PlannedCheck[] = switchPlan(spec);
  for (const g of gaps) for (const c of g.checks) planned.push({ ref: `${g.id}/${c.id}`, owner: { kind: 'gap', id: g.id }, check: c });
  if (scope.sections) for (const s of spec.sections ?? []) for (const c of s.checks) planned.push({ ref: `${s.id}/${c.id}`, owner: { kind: 'section', id: s.id }, check: c });

  const now = session.now();
  const standings = await decisionStandings({ ...session, now: () => now }, view);
  const signoffs = signoffsByGap(standings.approvals);
  const waivers = standings.waivers;
  const waived = new Set(waivers.filter((w) => w.standing === 'active').map((w) => w.gap));
  const results = await runChecks(planned, {
    concurrency: session.concurrency,
    timeoutMs: session.timeoutMs,
    context: { host: session.host, env: session.env, postgres: session.postgres },
    signoffsFor: (gap) => signoffs.get(gap) ?? [],
    onResult: session.onProgress,
  });
  const checks = planned.map((p, i) => record(p, results[i]!));
  const switchChecks = checks.filter((c) => c.owner.kind === 'killSwitch');
  let killSwitch = switchRecord(switchChecks);
  // The round's reading decides transitions (a switch not safe halts the workflow): a second read confirms it.
  if (killSwitch.status !== 'unreadable') {
    killSwitch = confirmRead({ reading: killSwitch.status, record: killSwitch, checks: switchChecks, cause: checksCause(switchChecks) }, await readKillSwitch(session)).record;
  }

  const verdicts = new Map<string, GapVerdict>();
  const statusOf = (id: string): GapStatus | undefined => verdicts.get(id)?.status ?? view.gaps[id]?.status;
  for (const g of gaps) {
    verdicts.set(g.id, gapVerdict(g, checks.filter((c) => c.owner.kind === 'gap' && c.owner.id === g.id), statusOf, waived.has(g.id)));
  }
  const survey: SurveyData = {
    scope: scope.scope,
    killSwitch,
    gaps: Object.fromEntries([...verdicts].map(([id, v]) => [id, { status: v.status, own: v.own, blockedBy: v.blockedBy }])),
    checks,
  };
  return { survey, verdicts, killSwitch, signoffs, waivers };
}

/**
 * Ledger events for a round: one `survey` event with every verdict, one `gap.status` per changed GAP.
 * A round that saw exactly what the last one saw (same checks, same results, no status change) is
 * recorded compactly, pointing at that round: a watch loop would otherwise grow the ledger by a full
 * survey every few minutes.
 */
export function roundEvents(session: Session, view: WorkflowView, round: ProbeRound): NewRecordedEvent[] {
  const roundDigest = checksDigest(round.survey.checks);
  const changed = [...round.verdicts].some(([id, v]) => view.gaps[id]?.status !== v.status);
  const events: NewRecordedEvent[] = [
    !changed && view.lastRound?.digest === roundDigest
      ? { type: 'survey', actor: session.actor, cause: { kind: 'repeat', of: view.lastRound.seq }, data: { scope: round.survey.scope } }
      : { type: 'survey', actor: session.actor, cause: { kind: 'probe', checks: round.survey.checks.map((c) => c.ref), digest: roundDigest }, data: round.survey },
  ];
  for (const [id, v] of round.verdicts) {
    const before = view.gaps[id]?.status;
    if (before === v.status) continue;
    events.push({
      type: 'gap.status',
      actor: session.actor,
      subject: id,
      from: before ?? 'UNKNOWN',
      to: v.status,
      cause: checksCause(round.survey.checks.filter((c) => c.owner.kind === 'gap' && c.owner.id === id)),
      data: { own: v.own, blockedBy: v.blockedBy, waived: v.waived },
    });
  }
  return events;
}

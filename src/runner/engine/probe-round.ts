import type { GapStatus } from '../../machine/types.js';
import type { CheckResult, Signoff } from '../../probes/index.js';
import type { Workflow } from '../../spec/schema.js';
import { digest } from '../../support/digest.js';
import type { CheckRecord, NewRecordedEvent, SurveyData, SwitchRecord } from './events.js';
import { hostStatuses, runFleetChecks } from './fleet-round.js';
import { blockersFirst, type GapVerdict, gapVerdict } from './gap-status.js';
import { confirmRead, readKillSwitch, switchOfChecks, switchPlan } from './kill-switch.js';
import { type PlannedCheck, runChecks } from './run-checks.js';
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

/** The `host` field of a round's ledger events: the target's description, or nothing for this machine. */
export function onHost(session: Session): { host?: string } {
  const t = session.host.target;
  return t && t !== 'local' ? { host: t } : {};
}

/** Probes the kill switch and the chosen GAPs (and sections) and computes GAP statuses. Reads only. */
export async function probeRound(session: Session, view: WorkflowView, scope: RoundScope): Promise<ProbeRound> {
  const spec = session.wf.spec;
  const wanted = scope.gaps ? withBlockers(session, scope.gaps) : new Set(spec.gaps.map((g) => g.id));
  const gaps = blockersFirst(spec.gaps).filter((g) => wanted.has(g.id));
  // Each host of a fleet plans from its own resolved spec: the same ids, its own values.
  const plan = (s: Workflow): PlannedCheck[] => {
    const planned: PlannedCheck[] = switchPlan(s);
    for (const g of blockersFirst(s.gaps).filter((x) => wanted.has(x.id)))
      for (const c of g.checks) planned.push({ ref: `${g.id}/${c.id}`, owner: { kind: 'gap', id: g.id }, check: c });
    if (scope.sections)
      for (const sec of s.sections ?? [])
        for (const c of sec.checks) planned.push({ ref: `${sec.id}/${c.id}`, owner: { kind: 'section', id: sec.id }, check: c });
    return planned;
  };

  const now = session.now();
  const standings = await decisionStandings({ ...session, now: () => now }, view);
  const signoffs = signoffsByGap(standings.approvals);
  const waivers = standings.waivers;
  const waived = new Set(waivers.filter((w) => w.standing === 'active').map((w) => w.gap));
  const runOpts = {
    concurrency: session.concurrency,
    timeoutMs: session.timeoutMs,
    context: { env: session.env, postgres: session.postgres },
    signoffsFor: (gap: string) => signoffs.get(gap) ?? [],
    onResult: session.onProgress,
  };
  const fleet = session.fleet;
  let checks: CheckRecord[];
  if (fleet) {
    checks = await runFleetChecks(fleet, plan, runOpts, record);
  } else {
    const planned = plan(spec);
    const results = await runChecks(planned, { ...runOpts, context: { ...runOpts.context, host: session.host } });
    checks = planned.map((p, i) => record(p, results[i]!));
  }
  const switchChecks = checks.filter((c) => c.owner.kind === 'killSwitch');
  let killSwitch: SwitchRecord = switchOfChecks(session, switchChecks);
  // The round's reading decides transitions (a switch not safe halts the workflow): a second read confirms it.
  if (killSwitch.status !== 'unreadable') {
    killSwitch = confirmRead(
      { reading: killSwitch.status, record: killSwitch, checks: switchChecks, cause: checksCause(switchChecks) },
      await readKillSwitch(session),
    ).record;
  }

  const verdicts = new Map<string, GapVerdict>();
  const hosts = new Map<string, Record<string, GapStatus>>();
  const statusOf = (id: string): GapStatus | undefined => verdicts.get(id)?.status ?? view.gaps[id]?.status;
  for (const g of gaps) {
    const own = checks.filter((c) => c.owner.kind === 'gap' && c.owner.id === g.id);
    // Across a fleet, a GAP's checks are those of every host: CLOSED only when all pass everywhere.
    verdicts.set(g.id, gapVerdict(g, own, statusOf, waived.has(g.id)));
    if (fleet) hosts.set(g.id, hostStatuses(fleet, own));
  }
  const survey: SurveyData = {
    scope: scope.scope,
    ...onHost(session),
    killSwitch,
    gaps: Object.fromEntries(
      [...verdicts].map(([id, v]) => [
        id,
        { status: v.status, own: v.own, blockedBy: v.blockedBy, ...(hosts.has(id) ? { hosts: hosts.get(id) } : {}) },
      ]),
    ),
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
  const hostsOf = (id: string) => round.survey.gaps[id]?.hosts;
  // On a fleet, a host changing its own status is a change too, so that the ledger says which host moved.
  const moved = (id: string, status: GapStatus) =>
    view.gaps[id]?.status !== status || digest(view.gaps[id]?.hosts ?? null) !== digest(hostsOf(id) ?? null);
  const changed = [...round.verdicts].some(([id, v]) => moved(id, v.status));
  const events: NewRecordedEvent[] = [
    !changed && view.lastRound?.digest === roundDigest
      ? {
          type: 'survey',
          actor: session.actor,
          cause: { kind: 'repeat', of: view.lastRound.seq },
          data: { scope: round.survey.scope, ...onHost(session) },
        }
      : {
          type: 'survey',
          actor: session.actor,
          cause: { kind: 'probe', checks: round.survey.checks.map((c) => c.ref), digest: roundDigest },
          data: round.survey,
        },
  ];
  for (const [id, v] of round.verdicts) {
    const before = view.gaps[id]?.status;
    if (!moved(id, v.status)) continue;
    events.push({
      type: 'gap.status',
      actor: session.actor,
      subject: id,
      from: before ?? 'UNKNOWN',
      to: v.status,
      cause: checksCause(round.survey.checks.filter((c) => c.owner.kind === 'gap' && c.owner.id === id)),
      data: { own: v.own, blockedBy: v.blockedBy, waived: v.waived, ...onHost(session), ...(hostsOf(id) ? { hosts: hostsOf(id) } : {}) },
    });
  }
  return events;
}

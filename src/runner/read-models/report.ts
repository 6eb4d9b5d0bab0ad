import { satisfies } from '../../machine/guards.js';
import { type MachinePlan, topState } from '../../machine/plan.js';
import type { GapStatus, SwitchReading } from '../../machine/types.js';
import type { CheckStatus } from '../../probes/index.js';
import type { LoadedWorkflow } from '../../spec/load.js';
import { isWaivable, latestExpiry, waiverPolicy } from '../../spec/waivers.js';
import type { LedgerProblem } from '../../store/verify.js';
import type { CheckedView } from '../engine/ledger-view.js';
import type { CheckRecord, WorkflowView } from '../engine/view.js';

export interface CheckReport {
  id: string;
  kind: string;
  title?: string;
  status: CheckStatus;
  evidence: string;
  observed: Record<string, unknown>;
  ms: number;
  /** The inventory host it ran on (fleets only). */
  host?: string;
}

export interface GapReport {
  id: string;
  title: string;
  /** UNKNOWN until a survey has looked at the GAP. */
  status: GapStatus | 'UNKNOWN';
  /** What the GAP's own checks say (OPEN for a GAP BLOCKED with no passing check: the seed's "OPEN/BLOCKED"). */
  own?: GapStatus;
  blockedBy: string[];
  waivable: boolean;
  /** The waiver a WAIVED GAP stood on: who granted it, why, until when; `expired` once it ran out (the GAP then shows what its checks said). */
  waiver?: { by: string; reason: string; until: string; seq: number; expired?: boolean };
  checks: CheckReport[];
  /** Fleets only: each inventory host's own status, and the hosts that hold the GAP back (not CLOSED there). */
  hosts?: { host: string; status: GapStatus }[];
  heldBy?: string[];
}

export interface SectionReport {
  id: string;
  title: string;
  checks: CheckReport[];
}

/** The documented `--json` shape (schemaVersion 1). */
export interface StatusReport {
  schemaVersion: 1;
  workflow: string;
  title: string;
  /** A gate id, `armed`, `flipping`, `flipped` or `halted`. */
  state: string;
  /** The GAP the current gate waits on, or `passed`. */
  step?: string;
  /** The latest reading recorded by any command, with when, by whom and in which command it was taken (on a fleet, each host's reading too). */
  killSwitch: {
    status: SwitchReading | 'unknown';
    evidence: string;
    hosts?: Record<string, SwitchReading>;
    read?: { time: string; seq: number; actor: string; command: string };
  };
  /** The inventory hosts of the last round (fleets only). */
  hosts?: string[];
  gates: { id: string; title: string; requires: string[]; status: 'passed' | 'current' | 'pending' }[];
  gaps: GapReport[];
  sections: SectionReport[];
  /** Every GAP CLOSED (or validly WAIVED) and the kill switch safe, in the data shown. */
  ready: boolean;
  /** Any check errored in the data shown. */
  errors: number;
  surveyed?: { seq: number; time: string; actor: string; scope: string };
  ledger?: { seq: number; hash: string };
  /** How the view behind this report was obtained: the stored view, or rebuilt from the ledger (and why); and what is wrong with the ledger, if anything. */
  view?: { source: 'view' | 'rebuilt'; reason?: string; problem?: LedgerProblem };
}

const checkReport = (c: CheckRecord): CheckReport => ({
  id: c.id,
  kind: c.kind,
  ...(c.title ? { title: c.title } : {}),
  status: c.status,
  evidence: c.evidence,
  observed: c.observed ?? {},
  ms: c.ms,
  ...(c.host ? { host: c.host } : {}),
});

/** A GAP's row of the fleet matrix: every host's status, and the hosts where it is not CLOSED. */
const fleetColumns = (hosts: Record<string, GapStatus>) => ({
  hosts: Object.entries(hosts).map(([host, status]) => ({ host, status })),
  heldBy: Object.entries(hosts)
    .filter(([, s]) => s !== 'CLOSED')
    .map(([h]) => h),
});

/** The status report of a workflow from its view; `checked` says where the view came from. */
export function buildReport(
  session: { wf: LoadedWorkflow; plan: MachinePlan; now?: () => Date },
  view: WorkflowView,
  checked?: Pick<CheckedView, 'source' | 'reason' | 'problem'>,
): StatusReport {
  const now = (session.now ?? (() => new Date()))().getTime();
  const spec = session.wf.spec;
  const label = view.state ?? `${session.plan.steps[0]!.gate}.${session.plan.steps[0]!.gaps[0] ?? 'passed'}`;
  const top = topState(label);
  const shownFrom = top === 'halted' ? (view.activeState ?? label) : label;
  const gateIndex = session.plan.steps.findIndex((s) => s.gate === topState(shownFrom));
  const allPassed = ['armed', 'flipping', 'flipped'].includes(topState(shownFrom));
  const gates = spec.gates.map((g, i) => ({
    id: g.id,
    title: g.title,
    requires: g.requires,
    status: (allPassed || (gateIndex >= 0 && i < gateIndex) ? 'passed' : i === gateIndex ? 'current' : 'pending') as
      | 'passed'
      | 'current'
      | 'pending',
  }));
  const gaps: GapReport[] = spec.gaps.map((g) => {
    const r = view.gaps[g.id];
    const waiver = r?.status === 'WAIVED' ? view.waivers.findLast((w) => w.gap === g.id && !w.withdrawn) : undefined;
    // A waiver that ran out since the last survey is expired here too, never WAIVED.
    const policy = waiverPolicy(spec, g);
    const expired =
      !!waiver && !(Math.min(Date.parse(waiver.until), latestExpiry(Date.parse(waiver.time), policy.allowed ? policy.maxDays : 0)) > now);
    const status: GapStatus | 'UNKNOWN' = r ? (expired ? (r.blockedBy.length ? 'BLOCKED' : r.own) : r.status) : 'UNKNOWN';
    return {
      id: g.id,
      title: g.title,
      status,
      ...(r ? { own: r.own } : {}),
      blockedBy: g.blockedBy ?? [],
      waivable: isWaivable(spec, g),
      ...(waiver
        ? { waiver: { by: waiver.principal, reason: waiver.reason, until: waiver.until, seq: waiver.seq, ...(expired ? { expired } : {}) } }
        : {}),
      checks: (r?.checks ?? []).map(checkReport),
      ...(r?.hosts ? fleetColumns(r.hosts) : {}),
    };
  });
  const hosts = view.killSwitch?.hosts ? Object.keys(view.killSwitch.hosts) : undefined;
  const sections = (spec.sections ?? []).map((s) => ({ id: s.id, title: s.title, checks: (view.sections[s.id] ?? []).map(checkReport) }));
  const allChecks = [
    ...gaps.flatMap((g) => g.checks),
    ...sections.flatMap((s) => s.checks),
    ...[view.killSwitch?.check, view.killSwitch?.enabled].filter((c): c is CheckRecord => !!c),
  ];
  const ready = view.killSwitch?.status === 'safe' && gaps.every((g) => g.status !== 'UNKNOWN' && satisfies(g.status, g.waivable));
  const sub = label.split('.')[1];
  return {
    schemaVersion: 1,
    workflow: spec.id,
    title: spec.title,
    state: top,
    ...(sub ? { step: sub } : {}),
    killSwitch: view.killSwitch
      ? {
          status: view.killSwitch.status,
          evidence: view.killSwitch.evidence,
          ...(view.killSwitch.hosts ? { hosts: view.killSwitch.hosts } : {}),
          ...(view.killSwitch.seq !== undefined
            ? {
                read: {
                  time: view.killSwitch.time,
                  seq: view.killSwitch.seq,
                  actor: view.killSwitch.actor,
                  command: view.killSwitch.command,
                },
              }
            : {}),
        }
      : { status: 'unknown', evidence: 'not read yet: run flipgate survey' },
    ...(hosts ? { hosts } : {}),
    gates,
    gaps,
    sections,
    ready: !!ready,
    errors: allChecks.filter((c) => c.status === 'error').length,
    ...(view.lastSurvey ? { surveyed: view.lastSurvey } : {}),
    ...(view.head ? { ledger: view.head } : {}),
    ...(checked
      ? {
          view: {
            source: checked.source,
            ...(checked.reason ? { reason: checked.reason } : {}),
            ...(checked.problem ? { problem: checked.problem } : {}),
          },
        }
      : {}),
  };
}

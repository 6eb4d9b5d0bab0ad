import type { CheckResult } from '../probes/index.js';
import type { GapStatus, SwitchReading } from '../machine/types.js';
import type { Cause, LedgerEvent } from '../store/types.js';
import { samePrincipal } from '../spec/principal.js';
import { digest } from '../support/digest.js';

/** A check result as the ledger keeps it. */
export interface CheckRecord extends CheckResult {
  ref: string;
  id: string;
  kind: string;
  owner: { kind: 'gap' | 'section' | 'killSwitch'; id: string };
  title?: string;
}

export interface GapRecord {
  status: GapStatus;
  own: GapStatus;
  blockedBy: string[];
  /** Sequence number of the event that last changed the status. */
  since?: number;
  checks: CheckRecord[];
}

export interface SwitchRecord {
  status: SwitchReading;
  evidence: string;
  check?: CheckRecord;
}

export interface SurveyData {
  scope: string;
  killSwitch: SwitchRecord;
  gaps: Record<string, { status: GapStatus; own: GapStatus; blockedBy: string[] }>;
  checks: CheckRecord[];
}

/** The digest of checks' verdicts and evidence (their timings left out: they differ every run). */
export function checksDigest(checks: CheckRecord[]): string {
  return digest(checks.map(({ ms: _ms, ...c }) => c));
}

/** The `probe` cause of an event that rests on these checks: their refs, digest and evidence lines. */
export function checksCause(checks: CheckRecord[]): Cause {
  return { kind: 'probe', checks: checks.map((c) => c.ref), digest: checksDigest(checks), evidence: checks.map((c) => `${c.id}: ${c.status} — ${c.evidence}`) };
}

/** A round that saw exactly what round `sameAs` saw: its checks are not repeated. */
export type RepeatedSurveyData = Omit<SurveyData, 'checks'> & { sameAs: number };

export function isRepeat(d: SurveyData | RepeatedSurveyData): d is RepeatedSurveyData {
  return typeof (d as RepeatedSurveyData).sameAs === 'number' && !Array.isArray((d as SurveyData).checks);
}

export interface ApprovalRecord {
  gap: string;
  principal: string;
  seq: number;
  time: string;
  note?: string;
  /** Ledger head the approver saw. */
  head: string;
  specHash?: string;
  signature?: string;
  signedAt?: string;
  revoked?: { seq: number; time: string };
}

export interface WaiverRecord {
  gap: string;
  principal: string;
  seq: number;
  time: string;
  until: string;
  reason: string;
  withdrawn?: { seq: number; time: string; by: string };
}

/** Where a workflow stands, rebuilt by replaying its ledger. */
export interface WorkflowView {
  state: string | undefined;
  /** The last state before `halted` (so gates can still be shown). */
  activeState: string | undefined;
  specHash: string | undefined;
  gaps: Record<string, GapRecord>;
  sections: Record<string, CheckRecord[]>;
  killSwitch: SwitchRecord | undefined;
  lastSurvey: { seq: number; time: string; actor: string; scope: string } | undefined;
  /** The last round with its checks written out, and the digest of those checks. */
  lastRound: { seq: number; digest: string } | undefined;
  approvals: ApprovalRecord[];
  waivers: WaiverRecord[];
  /** seq of each GAP's last reopening (a change away from CLOSED/WAIVED). */
  reopenedAt: Record<string, number>;
  head: { seq: number; hash: string } | undefined;
}

const proven = (s: GapStatus | undefined) => s === 'CLOSED' || s === 'WAIVED';

export function replay(events: LedgerEvent[]): WorkflowView {
  const view: WorkflowView = {
    state: undefined,
    activeState: undefined,
    specHash: undefined,
    gaps: {},
    sections: {},
    killSwitch: undefined,
    lastSurvey: undefined,
    lastRound: undefined,
    approvals: [],
    waivers: [],
    reopenedAt: {},
    head: undefined,
  };
  for (const e of events) {
    view.head = { seq: e.seq, hash: e.hash };
    switch (e.type) {
      case 'workflow.anchored':
        view.specHash = (e.data as { specHash?: string } | undefined)?.specHash;
        break;
      case 'transition':
        view.state = e.to;
        if (e.to !== 'halted') view.activeState = e.to;
        break;
      case 'survey': {
        const data = e.data as unknown as SurveyData | RepeatedSurveyData;
        view.killSwitch = data.killSwitch;
        view.lastSurvey = { seq: e.seq, time: e.time, actor: e.actor, scope: data.scope };
        if (isRepeat(data)) break; // same checks and results as the last full round, already applied
        const d = data;
        if (e.cause.kind === 'probe') view.lastRound = { seq: e.seq, digest: e.cause.digest };
        for (const [id, g] of Object.entries(d.gaps)) {
          const prev = view.gaps[id];
          view.gaps[id] = { ...g, since: prev && prev.status === g.status ? prev.since : e.seq, checks: d.checks.filter((c) => c.owner.kind === 'gap' && c.owner.id === id) };
        }
        for (const c of d.checks) if (c.owner.kind === 'section') view.sections[c.owner.id] = [];
        for (const c of d.checks) if (c.owner.kind === 'section') view.sections[c.owner.id]!.push(c);
        break;
      }
      case 'gap.status':
        if (e.subject && proven(e.from as GapStatus) && !proven(e.to as GapStatus)) view.reopenedAt[e.subject] = e.seq;
        break;
      case 'approval.granted': {
        const d = e.data as { note?: string; head: string; specHash?: string; signature?: string; signedAt?: string };
        view.approvals.push({ gap: e.subject!, principal: e.actor, seq: e.seq, time: e.time, note: d.note, head: d.head, specHash: d.specHash, signature: d.signature, signedAt: d.signedAt });
        break;
      }
      case 'approval.revoked':
        for (const a of view.approvals) if (a.gap === e.subject && samePrincipal(a.principal, e.actor) && !a.revoked) a.revoked = { seq: e.seq, time: e.time };
        break;
      case 'waiver.granted': {
        const d = e.data as { until: string; reason: string };
        view.waivers.push({ gap: e.subject!, principal: e.actor, seq: e.seq, time: e.time, until: d.until, reason: d.reason });
        break;
      }
      case 'waiver.withdrawn':
        for (const w of view.waivers) if (w.gap === e.subject && !w.withdrawn) w.withdrawn = { seq: e.seq, time: e.time, by: e.actor };
        break;
    }
  }
  return view;
}

import type { GapStatus } from '../../machine/types.js';
import { samePrincipal } from '../../spec/principal.js';
import type { Cause, Head, LedgerEvent } from '../../store/types.js';
import { digest } from '../../support/digest.js';
import { type CheckRecord, isRepeat, recorded, type SwitchReadingRecord } from './events.js';

export type { CheckRecord, SwitchReadingRecord } from './events.js';

export interface GapRecord {
  status: GapStatus;
  own: GapStatus;
  blockedBy: string[];
  /** Each inventory host's own status (fleets only). */
  hosts?: Record<string, GapStatus>;
  /** Sequence number of the event that last changed the status. */
  since?: number;
  checks: CheckRecord[];
}

/** The digest of checks' verdicts and evidence (their timings left out: they differ every run). */
export function checksDigest(checks: CheckRecord[]): string {
  return digest(checks.map(({ ms: _ms, ...c }) => c));
}

/** The `probe` cause of an event that rests on these checks: their refs, digest and evidence lines. */
export function checksCause(checks: CheckRecord[]): Cause {
  return {
    kind: 'probe',
    checks: checks.map((c) => c.ref),
    digest: checksDigest(checks),
    evidence: checks.map((c) => `${c.id}: ${c.status} — ${c.evidence}`),
  };
}

export interface ApprovalRecord {
  gap: string;
  principal: string;
  seq: number;
  time: string;
  note?: string;
  /** Ledger head (hash, and its event's seq) the approver saw and signed over. */
  head: string;
  headSeq?: number;
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
  head?: string;
  headSeq?: number;
  specHash?: string;
  signature?: string;
  signedAt?: string;
  withdrawn?: { seq: number; time: string; by: string };
}

/**
 * Where a workflow stands: the fold of its ledger. Every field is plain JSON, so the same view is
 * rebuilt from the whole ledger or kept up to date event by event, and stored beside the ledger.
 */
export interface WorkflowView {
  state: string | undefined;
  /** The last state before `halted` (so gates can still be shown). */
  activeState: string | undefined;
  specHash: string | undefined;
  gaps: Record<string, GapRecord>;
  sections: Record<string, CheckRecord[]>;
  /** The latest kill-switch reading recorded by any command (a round's or a flip's or a disable's own read). */
  killSwitch: SwitchReadingRecord | undefined;
  lastSurvey: { seq: number; time: string; actor: string; scope: string } | undefined;
  /** The last round with its checks written out, and the digest of those checks. */
  lastRound: { seq: number; digest: string } | undefined;
  approvals: ApprovalRecord[];
  waivers: WaiverRecord[];
  /** seq of each GAP's last reopening (a change away from CLOSED/WAIVED). */
  reopenedAt: Record<string, number>;
  head: Head | undefined;
}

function emptyView(): WorkflowView {
  return {
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
}

const proven = (s: string | undefined) => s === 'CLOSED' || s === 'WAIVED';

/**
 * Applies one event to the view (in place): the one rule by which a view follows its ledger, whether
 * it is rebuilt from the first event or kept up to date after each append. One case per event type.
 */
export function foldEvent(view: WorkflowView, raw: LedgerEvent): void {
  view.head = { seq: raw.seq, hash: raw.hash };
  const e = recorded(raw);
  if (!e) return;
  switch (e.type) {
    case 'workflow.anchored':
      view.specHash = e.data.specHash;
      break;
    case 'transition':
      view.state = e.to;
      if (e.to !== 'halted') view.activeState = e.to;
      break;
    case 'survey': {
      view.lastSurvey = { seq: e.seq, time: e.time, actor: e.actor, scope: e.data.scope };
      const at = { seq: e.seq, time: e.time, actor: e.actor, command: e.data.scope };
      if (isRepeat(e)) {
        // The same checks and results as the last full round, already applied: only the reading's time moves on.
        if (view.killSwitch) view.killSwitch = { ...view.killSwitch, ...at };
        break;
      }
      const d = e.data;
      view.killSwitch = { ...d.killSwitch, ...at };
      view.lastRound = { seq: e.seq, digest: e.cause.digest };
      for (const [id, g] of Object.entries(d.gaps)) {
        const prev = view.gaps[id];
        view.gaps[id] = {
          ...g,
          since: prev && prev.status === g.status ? prev.since : e.seq,
          checks: d.checks.filter((c) => c.owner.kind === 'gap' && c.owner.id === id),
        };
      }
      const sections: Record<string, CheckRecord[]> = {};
      for (const c of d.checks) {
        if (c.owner.kind !== 'section') continue;
        sections[c.owner.id] ??= [];
        sections[c.owner.id]!.push(c);
      }
      Object.assign(view.sections, sections);
      break;
    }
    case 'gap.status':
      if (e.subject && proven(e.from) && !proven(e.to)) view.reopenedAt[e.subject] = e.seq;
      break;
    case 'approval.granted': {
      const d = e.data;
      view.approvals.push({
        gap: e.subject!,
        principal: e.actor,
        seq: e.seq,
        time: e.time,
        ...(d.note !== undefined ? { note: d.note } : {}),
        head: d.head,
        headSeq: d.headSeq,
        ...(d.specHash ? { specHash: d.specHash } : {}),
        ...(d.signature ? { signature: d.signature, signedAt: d.signedAt } : {}),
      });
      break;
    }
    case 'approval.revoked':
      for (const a of view.approvals)
        if (a.gap === e.subject && samePrincipal(a.principal, e.actor) && !a.revoked) a.revoked = { seq: e.seq, time: e.time };
      break;
    case 'waiver.granted': {
      const { until, reason, head, headSeq, specHash, signature, signedAt } = e.data;
      view.waivers.push({
        gap: e.subject!,
        principal: e.actor,
        seq: e.seq,
        time: e.time,
        until,
        reason,
        ...(head !== undefined ? { head, headSeq, specHash } : {}),
        ...(signature ? { signature, signedAt } : {}),
      });
      break;
    }
    case 'waiver.withdrawn':
      for (const w of view.waivers) if (w.gap === e.subject && !w.withdrawn) w.withdrawn = { seq: e.seq, time: e.time, by: e.actor };
      break;
    case 'killswitch.read': {
      // On a fleet the checks are every host's; the first host's pair is kept as the example.
      const [check, enabled] = e.data.checks ?? [];
      view.killSwitch = {
        status: e.data.reading,
        evidence: e.data.evidence,
        ...(check ? { check } : {}),
        ...(enabled ? { enabled } : {}),
        ...(e.data.hosts ? { hosts: e.data.hosts } : {}),
        seq: e.seq,
        time: e.time,
        actor: e.actor,
        command: e.data.command ?? 'a kill-switch read',
      };
      break;
    }
    default:
      // The flip's and the disable's own records, kill-switch reads, drift and adoption change no standing.
      break;
  }
}

/** Folds events onto a view, in order (in place); returns it. */
export function foldEvents(view: WorkflowView, events: LedgerEvent[]): WorkflowView {
  for (const e of events) foldEvent(view, e);
  return view;
}

/** The view of a whole ledger. */
export function replay(events: LedgerEvent[]): WorkflowView {
  return foldEvents(emptyView(), events);
}

import type { GapStatus } from '../../machine/types.js';
import type { LedgerEvent } from '../../store/types.js';
import { type CheckRecord, describeEvent, isRepeat, recorded, type SurveyData } from '../engine/events.js';
import { checksDigest } from '../engine/view.js';
import { type HostAudit, hostAudits } from './fleet-audit.js';

/** One check of the round behind a GAP change, with its evidence as recorded. */
export interface AuditCheck {
  ref: string;
  id: string;
  kind: string;
  status: string;
  evidence: string;
  /** The inventory host it ran on (fleets only). */
  host?: string;
}

export interface Signoff {
  principal: string;
  seq: number;
  time: string;
  note?: string;
}

/** A GAP's status change: who ran the command, what proved it (the checks and their evidence), who had signed off. */
export interface GapChange {
  seq: number;
  time: string;
  /** Who ran the command that recorded it. */
  actor: string;
  from: string;
  to: string;
  kind: 'closed' | 'waived' | 'reopened' | 'changed';
  /** The round's label: survey, advance, flip, watch, resume. */
  scope: string | undefined;
  /** The GAP's checks in that round. */
  checks: AuditCheck[];
  /** The evidence lines the event itself carries (its cause). */
  evidence: string[];
  /** Whether the event's evidence digest matches the checks recorded by the round's survey. */
  evidenceDigest: { recorded: string; matches: boolean } | undefined;
  /** Approvals of this GAP standing when it changed (granted, not revoked). */
  signoffs: Signoff[];
  /** The waiver in force when it changed to WAIVED. */
  waiver: (Signoff & { until: string; reason: string }) | undefined;
  /** Each inventory host's own status after the change (fleets only). */
  hosts?: Record<string, GapStatus>;
}

export interface GapAudit {
  gap: string;
  status: string;
  /** The change that last proved it (CLOSED or WAIVED). */
  closedBy: GapChange | undefined;
  /** The last change that took it from proven back to not proven, if any. */
  reopenedBy: GapChange | undefined;
  changes: GapChange[];
  /** Fleets only: per host, its status and the rounds that last closed and reopened the GAP there. */
  hosts?: HostAudit[];
}

export interface TimelineEntry {
  seq: number;
  time: string;
  type: string;
  actor: string;
  subject?: string;
  from?: string;
  to?: string;
  cause: string;
  summary: string;
  hash: string;
}

export interface AuditReport {
  schemaVersion: 1;
  workflow: string | undefined;
  events: number;
  head: { seq: number; hash: string } | undefined;
  filter: { subject?: string; actor?: string };
  gaps: GapAudit[];
  timeline: TimelineEntry[];
}

export interface AuditOptions {
  /** A GAP id or gate id. */
  subject?: string;
  actor?: string;
  /** Gates and the GAPs they require (session.plan.steps), to resolve a gate subject and order GAPs. */
  gates?: { gate: string; gaps: string[] }[];
}

const proven = (s: string | undefined) => s === 'CLOSED' || s === 'WAIVED';

function changeKind(from: string, to: string): GapChange['kind'] {
  if (proven(from) && !proven(to)) return 'reopened';
  if (!proven(from) && to === 'CLOSED') return 'closed';
  if (!proven(from) && to === 'WAIVED') return 'waived';
  return 'changed';
}

const toCheck = (c: CheckRecord): AuditCheck => ({
  ref: c.ref,
  id: c.id,
  kind: c.kind,
  status: c.status,
  evidence: c.evidence,
  ...(c.host ? { host: c.host } : {}),
});

function timelineEntry(e: LedgerEvent): TimelineEntry {
  return {
    seq: e.seq,
    time: e.time,
    type: e.type,
    actor: e.actor,
    subject: e.subject,
    from: e.from,
    to: e.to,
    cause: e.cause.kind,
    summary: describeEvent(e),
    hash: e.hash,
  };
}

/** The principals a round's approval checks counted for a GAP. */
function countedBy(checks: CheckRecord[]): Set<string> {
  return new Set(
    checks.filter((c) => c.kind === 'approval').flatMap((c) => (c.observed as { approvers?: string[] } | undefined)?.approvers ?? []),
  );
}

// Replays the ledger once, keeping per GAP its changes with the round's checks, sign-offs and waiver at that moment.
function gapHistories(events: LedgerEvent[]): Map<string, GapChange[]> {
  const out = new Map<string, GapChange[]>();
  const approvals = new Map<string, Signoff[]>();
  const waivers = new Map<string, GapChange['waiver']>();
  let survey: SurveyData | undefined;
  for (const raw of events) {
    const e = recorded(raw);
    if (!e) continue;
    const gap = e.subject ?? '';
    switch (e.type) {
      case 'survey':
        if (!isRepeat(e)) survey = e.data; // a repeat saw what the round before it saw
        break;
      case 'approval.granted':
        approvals.set(gap, [
          ...(approvals.get(gap) ?? []).filter((a) => a.principal !== e.actor),
          { principal: e.actor, seq: e.seq, time: e.time, ...(e.data.note ? { note: e.data.note } : {}) },
        ]);
        break;
      case 'approval.revoked':
        approvals.set(
          gap,
          (approvals.get(gap) ?? []).filter((a) => a.principal !== e.actor),
        );
        break;
      case 'waiver.granted':
        waivers.set(gap, { principal: e.actor, seq: e.seq, time: e.time, until: e.data.until, reason: e.data.reason });
        break;
      case 'waiver.withdrawn':
        waivers.delete(gap);
        break;
      case 'gap.status': {
        const own = (survey?.checks ?? []).filter((c) => c.owner.kind === 'gap' && c.owner.id === gap);
        const recordedDigest = e.cause.kind === 'probe' ? e.cause.digest : undefined;
        const change: GapChange = {
          seq: e.seq,
          time: e.time,
          actor: e.actor,
          from: e.from ?? 'UNKNOWN',
          to: e.to ?? 'UNKNOWN',
          kind: changeKind(e.from ?? 'UNKNOWN', e.to ?? 'UNKNOWN'),
          scope: survey?.scope,
          checks: own.map(toCheck),
          evidence: e.cause.kind === 'probe' ? (e.cause.evidence ?? []) : [],
          evidenceDigest: recordedDigest
            ? { recorded: recordedDigest, matches: own.length > 0 && checksDigest(own) === recordedDigest }
            : undefined,
          // The sign-offs the round's approval checks counted (the standing function's verdict then), not every one recorded.
          signoffs: (approvals.get(gap) ?? []).filter((a) => countedBy(own).has(a.principal)),
          waiver: e.to === 'WAIVED' ? waivers.get(gap) : undefined,
          ...(e.data?.hosts ? { hosts: e.data.hosts } : {}),
        };
        out.set(gap, [...(out.get(gap) ?? []), change]);
        break;
      }
      default:
        break;
    }
  }
  return out;
}

function concerns(e: LedgerEvent, ids: Set<string>, gate: string | undefined): boolean {
  if (e.subject && ids.has(e.subject)) return true;
  if (e.type !== 'transition') return false;
  const parts = [e.from, e.to].filter((x): x is string => !!x).map((s) => s.split('.'));
  return parts.some(([g, step]) => (gate !== undefined && g === gate) || (step !== undefined && ids.has(step)));
}

/**
 * Who or what closed (and reopened) each GAP, when, through which checks, on what evidence, and the
 * ledger's timeline; narrowed to a GAP or gate and/or an actor.
 * @example
 * const report = auditLedger(await store.readEvents(), { subject: 'GAP-5', gates: session.plan.steps });
 * report.gaps[0].closedBy; // { seq, time, actor, checks: [{ ref, status, evidence }], signoffs, … }
 */
export function auditLedger(events: LedgerEvent[], opts: AuditOptions = {}): AuditReport {
  const histories = gapHistories(events);
  const gate = opts.gates?.find((g) => g.gate === opts.subject);
  const order = [...new Set([...(opts.gates ?? []).flatMap((g) => g.gaps), ...histories.keys()])];
  const wanted = opts.subject === undefined ? order : gate ? gate.gaps : [opts.subject];
  const byActor = (x: { actor: string }) => !opts.actor || x.actor === opts.actor;
  // With --actor, a change counts when that actor ran it or stood behind it (sign-off, waiver).
  const involves = (c: GapChange) => byActor(c) || c.signoffs.some((s) => s.principal === opts.actor) || c.waiver?.principal === opts.actor;
  const gaps = wanted
    .map((gap): GapAudit => {
      const all = histories.get(gap) ?? [];
      const changes = all.filter(involves);
      const last = all[all.length - 1];
      const closings = changes.filter((c) => c.kind === 'closed' || c.kind === 'waived');
      const reopenings = changes.filter((c) => c.kind === 'reopened');
      const hosts = hostAudits(all);
      return {
        gap,
        status: last?.to ?? 'UNKNOWN',
        closedBy: closings[closings.length - 1],
        reopenedBy: reopenings[reopenings.length - 1],
        changes,
        ...(hosts ? { hosts } : {}),
      };
    })
    .filter((g) => !opts.actor || g.changes.length > 0);
  const ids = new Set(gate ? [...wanted, gate.gate] : wanted);
  const timeline = events.filter((e) => byActor(e) && (opts.subject === undefined || concerns(e, ids, gate?.gate))).map(timelineEntry);
  const head = events[events.length - 1];
  return {
    schemaVersion: 1,
    workflow: events[0]?.workflow,
    events: events.length,
    head: head ? { seq: head.seq, hash: head.hash } : undefined,
    filter: { ...(opts.subject ? { subject: opts.subject } : {}), ...(opts.actor ? { actor: opts.actor } : {}) },
    gaps,
    timeline,
  };
}

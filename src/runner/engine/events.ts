import type { GapStatus, SwitchReading, WorkflowEvent } from '../../machine/types.js';
import type { CheckResult } from '../../probes/index.js';
import type { Cause, Head, LedgerEvent } from '../../store/types.js';

/*
 * What flipgate records, event by event: one typed union over the store's generic LedgerEvent, and one
 * function that says in a line what an event means (the audit, the dashboard and the reports use it).
 */

/** A check result as the ledger keeps it. */
export interface CheckRecord extends CheckResult {
  ref: string;
  id: string;
  kind: string;
  owner: { kind: 'gap' | 'section' | 'killSwitch'; id: string };
  title?: string;
  /** The inventory host it ran on (fleets only). */
  host?: string;
}

export interface SwitchRecord {
  status: SwitchReading;
  evidence: string;
  /** The safe check (passes while execution is off). */
  check?: CheckRecord;
  /** Each inventory host's reading (fleets only). */
  hosts?: Record<string, SwitchReading>;
  /** The enabled check (passes once execution is on), when the spec has one. */
  enabled?: CheckRecord;
}

/** The latest switch reading any command recorded, with when, by whom and in which command. */
export interface SwitchReadingRecord extends SwitchRecord {
  seq: number;
  time: string;
  actor: string;
  /** The round's scope (survey, flip, watch …) or the command that read it (flip --execute, disable). */
  command: string;
}

/** A round's verdicts: every check it ran, each GAP's status, the kill switch. */
export interface SurveyData {
  scope: string;
  /** The target probed (`ssh://…`); absent for this machine (and in ledgers written before targets). */
  host?: string;
  killSwitch: SwitchRecord;
  /** `hosts`: each inventory host's own status for the GAP (fleets only). */
  gaps: Record<string, { status: GapStatus; own: GapStatus; blockedBy: string[]; hosts?: Record<string, GapStatus> }>;
  checks: CheckRecord[];
}

/** One guard of the flip with its evidence. */
export interface Guard {
  guard: string;
  ok: boolean;
  evidence: string;
  /** The guard in its negative wording, said when it fails ("the workflow is not armed"). */
  refusal?: string;
}

/** What a refusal says of a failed guard. */
export const refusalText = (g: Guard): string => g.refusal ?? `not met: ${g.guard}`;

/** The cause of an event an operator's command records directly (not a probe's verdict). */
export const operatorCause = (command: string): Cause => ({ kind: 'operator', command });

export interface CommandRun {
  argv: string[] | null;
  /** The target the command ran on; absent for this machine. */
  host?: string;
  exitCode?: number | null;
  ok: boolean;
  problem?: string;
}

type Sealed<T extends string, D, C extends Cause = Cause> = Omit<LedgerEvent, 'type' | 'data' | 'cause'> & { type: T; data: D; cause: C };
type ProbeCause = Extract<Cause, { kind: 'probe' }>;

export type AnchoredEvent = Sealed<
  'workflow.anchored',
  { specHash: string; sourceHash: string; file: string; workflow: string; title: string; vars: Record<string, string> }
>;
export type TransitionEvent = Sealed<'transition', { event: WorkflowEvent } | undefined>;
/** A round with its checks written out. */
export type SurveyEvent = Sealed<'survey', SurveyData, ProbeCause>;
/** A round that saw exactly what round `cause.of` saw: only its scope is written. */
export type RepeatedSurveyEvent = Sealed<'survey', { scope: string; host?: string }, Extract<Cause, { kind: 'repeat' }>>;
export type GapStatusEvent = Sealed<
  'gap.status',
  { own: GapStatus; blockedBy: string[]; waived: boolean; host?: string; hosts?: Record<string, GapStatus> } | undefined
>;
export type ApprovalGrantedEvent = Sealed<
  'approval.granted',
  { head: string; headSeq: number; specHash?: string; note?: string; signature?: string; signedAt?: string }
>;
export type ApprovalRevokedEvent = Sealed<'approval.revoked', Record<string, never> | undefined>;
export type WaiverGrantedEvent = Sealed<
  'waiver.granted',
  { until: string; reason: string; head?: string; headSeq?: number; specHash?: string; signature?: string; signedAt?: string }
>;
export type WaiverWithdrawnEvent = Sealed<'waiver.withdrawn', Record<string, never> | undefined>;
export type KillSwitchReadEvent = Sealed<
  'killswitch.read',
  {
    reading: SwitchReading;
    evidence: string;
    host?: string;
    hosts?: Record<string, SwitchReading>;
    command?: string;
    checks?: CheckRecord[];
  }
>;
export type FlipRefusedEvent = Sealed<'flip.refused', { guards: Guard[] }>;
export type FlipRequestedEvent = Sealed<'flip.requested', { guards: Guard[]; command: string[] }>;
export type FlipCommandEvent = Sealed<'flip.command', CommandRun>;
export type FlipCompletedEvent = Sealed<'flip.completed', { killSwitch: string }>;
export type DisableRequestedEvent = Sealed<
  'disable.requested',
  { reason: string; from: string; journaled?: { time: string; problem: string } }
>;
export type DisableCommandEvent = Sealed<'disable.command', CommandRun>;
export type DriftReopenedEvent = Sealed<'drift.reopened', { after: 'flip' }>;
/** Signing began on a ledger written without it: this signed event vouches for the head it names. */
export type AdoptedEvent = Sealed<'ledger.adopted', { adopts: Head; keyId: string }>;

export type RecordedEvent =
  | AnchoredEvent
  | TransitionEvent
  | SurveyEvent
  | RepeatedSurveyEvent
  | GapStatusEvent
  | ApprovalGrantedEvent
  | ApprovalRevokedEvent
  | WaiverGrantedEvent
  | WaiverWithdrawnEvent
  | KillSwitchReadEvent
  | FlipRefusedEvent
  | FlipRequestedEvent
  | FlipCommandEvent
  | FlipCompletedEvent
  | DisableRequestedEvent
  | DisableCommandEvent
  | DriftReopenedEvent
  | AdoptedEvent;

type Unsealed<E> = E extends unknown ? Omit<E, 'seq' | 'time' | 'workflow' | 'prev' | 'hash' | 'sig'> : never;
/** An event the runner is about to record. */
export type NewRecordedEvent = Unsealed<RecordedEvent>;

const known: Record<RecordedEvent['type'], true> = {
  'workflow.anchored': true,
  transition: true,
  survey: true,
  'gap.status': true,
  'approval.granted': true,
  'approval.revoked': true,
  'waiver.granted': true,
  'waiver.withdrawn': true,
  'killswitch.read': true,
  'flip.refused': true,
  'flip.requested': true,
  'flip.command': true,
  'flip.completed': true,
  'disable.requested': true,
  'disable.command': true,
  'drift.reopened': true,
  'ledger.adopted': true,
};

/**
 * The event as flipgate recorded it, or undefined for a type flipgate does not write. The ledger's
 * chain (and signatures) vouch for what flipgate wrote; this is where its generic form gets its type.
 */
export function recorded(e: LedgerEvent): RecordedEvent | undefined {
  return Object.hasOwn(known, e.type) ? (e as RecordedEvent) : undefined;
}

export const isRepeat = (e: SurveyEvent | RepeatedSurveyEvent): e is RepeatedSurveyEvent => e.cause.kind === 'repeat';

// A machine event as recorded ({ type: 'gap.verdict', gap: 'GAP-3', status: 'CLOSED' }) in a few words.
function machineEvent(ev: WorkflowEvent): string {
  switch (ev.type) {
    case 'gap.verdict':
      return `gap.verdict ${ev.gap} ${ev.status}`;
    case 'killswitch.read':
    case 'resume':
      return `${ev.type} ${ev.reading}`;
    default:
      return ev.type;
  }
}

const on = (d: { host?: string } | undefined) => (d?.host ? ` on ${d.host}` : '');

const command = (d: CommandRun, what: string) =>
  `${what} command ${d.argv ? d.argv.join(' ') : '(none)'}${on(d)} ${d.ok ? 'succeeded' : 'failed'}${d.exitCode !== undefined && d.exitCode !== null ? ` (exit ${d.exitCode})` : ''}${d.problem ? `: ${d.problem}` : ''}`;

/**
 * What an event means, in one line: the audit's timeline, the dashboard and the reports print this.
 * @example
 * describeEvent(gapStatusEvent); // 'GAP-3: OPEN → CLOSED'
 */
export function describeEvent(raw: LedgerEvent): string {
  const e = recorded(raw);
  if (!e)
    return [raw.type, raw.subject, raw.from || raw.to ? `${raw.from ?? '—'} → ${raw.to ?? '—'}` : undefined].filter(Boolean).join(' ');
  switch (e.type) {
    case 'workflow.anchored':
      return `spec ${e.data.specHash.slice(0, 12)} anchored (${e.data.file})${e.from ? `, replacing ${e.from.slice(0, 12)}` : ''}`;
    case 'transition':
      return `${e.from ?? 'start'} → ${e.to}${e.data ? ` on ${machineEvent(e.data.event)}` : ''}${e.cause.kind === 'operator' ? ` (${e.cause.command})` : ''}`;
    case 'survey': {
      if (isRepeat(e)) return `${e.data.scope} round${on(e.data)}: the same results as event ${e.cause.of}`;
      const checks = e.data.checks;
      const count = (st: string) => checks.filter((c) => c.status === st).length;
      return `${e.data.scope} round${on(e.data)}: ${checks.length} checks (${count('pass')} pass, ${count('fail')} fail, ${count('error')} error, ${count('skip')} skip); kill switch ${e.data.killSwitch.status}`;
    }
    case 'gap.status':
      return `${e.subject}: ${e.from ?? 'UNKNOWN'} → ${e.to}${on(e.data)}${e.data?.hosts ? ` (${hostsLine(e.data.hosts)})` : ''}`;
    case 'approval.granted':
      return `${e.actor} approved ${e.subject}${e.data.note ? `: ${e.data.note}` : ''}${e.data.signature ? ' (signed)' : ''}`;
    case 'approval.revoked':
      return `${e.actor} revoked their approval of ${e.subject}`;
    case 'waiver.granted':
      return `${e.actor} waived ${e.subject} until ${e.data.until}: ${e.data.reason}`;
    case 'waiver.withdrawn':
      return `${e.actor} withdrew the waiver of ${e.subject}`;
    case 'killswitch.read':
      return `kill switch${on(e.data)} reads ${e.data.reading}: ${e.data.evidence}`;
    case 'flip.refused':
      return `flip refused: ${e.data.guards.map(refusalText).join('; ')}`;
    case 'flip.requested':
      return `flip requested: ${e.data.command.join(' ')}`;
    case 'flip.command':
      return command(e.data, 'flip');
    case 'flip.completed':
      return `execution enabled: ${e.data.killSwitch}`;
    case 'disable.requested':
      return `disable requested from ${e.data.from}: ${e.data.reason}${e.data.journaled ? ` (it ran at ${e.data.journaled.time} and waited in the journal: ${e.data.journaled.problem})` : ''}`;
    case 'disable.command':
      return command(e.data, 'disable');
    case 'drift.reopened':
      return `${e.subject} no longer holds after the flip (${e.to})`;
    case 'ledger.adopted':
      return `signing began (key ${e.data.keyId}): events 1…${e.data.adopts.seq} were recorded unsigned; this signed event adopts head ${e.data.adopts.seq} (${e.data.adopts.hash.slice(0, 12)}…)`;
  }
}

/** Why an event happened, in a few words. */
export function describeCause(c: Cause): string {
  switch (c.kind) {
    case 'probe':
      return c.checks.length > 3 ? `probe: ${c.checks.length} checks` : `probe: ${c.checks.join(', ')}`;
    case 'repeat':
      return `probe: as event ${c.of}`;
    case 'operator':
      return `operator: ${c.command}`;
    default:
      return `${c.kind}: ${c.principal}`;
  }
}

export function hostsLine(hosts: Record<string, GapStatus>): string {
  const all = Object.entries(hosts);
  const held = all.filter(([, s]) => s !== 'CLOSED');
  const named = held.slice(0, 5).map(([h, s]) => `${h} ${s}`);
  if (held.length > 5) named.push(`+${held.length - 5} more`);
  return `${all.length - held.length}/${all.length} hosts CLOSED${named.length ? `; ${named.join(', ')}` : ''}`;
}

import { ConfigError, Refusal } from '../errors.js';
import type { LedgerEvent } from '../store/types.js';
import type { LedgerProblem } from '../store/verify.js';
import { loadAllowedSigners, readPrivateKey, signClaim } from './approval-claims.js';
import type { Session } from './session.js';
import { approvalStandings, waiverStandings, type ApprovalStanding, type WaiverStanding } from './standing.js';
import { readView } from './ledger-view.js';
import { updateWorkflow } from './transact.js';

function gapOf(session: Session, gapId: string) {
  const spec = session.wf.spec;
  const gap = spec.gaps.find((g) => g.id === gapId);
  if (!gap) throw new ConfigError(`"${gapId}" is not a GAP of workflow ${spec.id}`, { place: { field: 'GAP-ID' }, fix: `use one of ${spec.gaps.map((g) => g.id).join(', ')}` });
  return gap;
}

function approvalChecks(session: Session, gapId: string) {
  const gap = gapOf(session, gapId);
  const checks = gap.checks.filter((c) => c.kind === 'approval');
  if (!checks.length) throw new ConfigError(`${gapId} has no approval check, so a sign-off would not count`, { place: { file: session.wf.file, field: gapId }, fix: `add a check with kind: approval to ${gapId}, or approve another GAP` });
  return checks as Extract<(typeof checks)[number], { kind: 'approval' }>[];
}

export interface SignoffOutcome {
  recorded: LedgerEvent[];
  message: string;
  /** Said plainly whenever approvals are claims rather than proofs. */
  unauthenticated: boolean;
}

export const unauthenticatedNote = 'approvals are unauthenticated: --as is a claim, not an identity (set approvals: {signed: true, allowedSigners: FILE} in the workflow to require signatures)';

/**
 * Records a sign-off on a GAP's approval checks. It carries the ledger head and spec hash it was
 * given under, so it lapses when a GAP it stands on reopens later or the spec changes; when the spec
 * requires signed approvals it carries an ed25519 signature over (workflow, GAP, head, time, principal).
 */
export async function approveGap(session: Session, gapId: string, opts: { note?: string; keyFile?: string } = {}): Promise<SignoffOutcome> {
  const checks = approvalChecks(session, gapId);
  const principal = session.actor;
  if (checks.every((c) => c.principals && !c.principals.includes(principal))) {
    const names = [...new Set(checks.flatMap((c) => c.principals ?? []))];
    throw new Refusal(`${principal} may not approve ${gapId}`, `approve as one of ${names.join(', ')}`);
  }
  const signed = !!session.wf.spec.approvals?.signed;
  const keyFile = opts.keyFile ?? session.env.FLIPGATE_APPROVAL_KEY;
  if (signed && !keyFile) throw new ConfigError(`workflow ${session.wf.spec.id} requires signed approvals`, { place: { field: '--key' }, fix: 'pass --key FILE (your ed25519 private key, PEM) or set FLIPGATE_APPROVAL_KEY' });
  const key = signed ? await readPrivateKey(keyFile!) : undefined;
  const { recorded } = await updateWorkflow(session, async (w) => {
    const head = w.view.head?.hash ?? 'genesis';
    const signedAt = session.now().toISOString();
    const signature = key ? signClaim({ workflow: session.wf.spec.id, gap: gapId, head, signedAt, principal }, key) : undefined;
    w.pending.push({
      type: 'approval.granted',
      actor: principal,
      subject: gapId,
      cause: { kind: 'approval', principal },
      data: { head, headSeq: w.view.head?.seq ?? 0, specHash: session.wf.hash, ...(opts.note ? { note: opts.note } : {}), ...(signature ? { signature, signedAt } : {}) },
    });
  });
  return { recorded, message: `${principal} approved ${gapId}; it counts at the next survey or advance`, unauthenticated: !signed };
}

/** Withdraws a principal's approvals of a GAP. */
export async function revokeApproval(session: Session, gapId: string): Promise<SignoffOutcome> {
  approvalChecks(session, gapId);
  const principal = session.actor;
  const { recorded, result } = await updateWorkflow(session, async (w) => {
    const active = w.view.approvals.some((a) => a.gap === gapId && a.principal === principal && !a.revoked);
    if (active) w.pending.push({ type: 'approval.revoked', actor: principal, subject: gapId, cause: { kind: 'approval', principal }, data: {} });
    return active;
  });
  if (!result) throw new Refusal(`${principal} has no standing approval of ${gapId} to revoke`, 'see flipgate approvals');
  return { recorded, message: `${principal} revoked the approval of ${gapId}`, unauthenticated: !session.wf.spec.approvals?.signed };
}

/** An ISO 8601 date (expires at the end of that day, UTC) or date-time. */
export function parseUntil(until: string, now: Date): Date {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(until);
  const iso = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(until);
  const t = iso ? Date.parse(dateOnly ? `${until}T23:59:59.999Z` : until) : NaN;
  if (Number.isNaN(t)) throw new ConfigError(`"${until}" is not an ISO 8601 date or time`, { place: { field: '--until' }, fix: 'write it like 2026-12-31 or 2026-12-31T18:00:00Z' });
  if (t <= now.getTime()) throw new ConfigError(`"${until}" is already past`, { place: { field: '--until' }, fix: 'give a future date' });
  return new Date(t);
}

/** Waives a GAP until a date, with a reason; refused where the spec says `waivable: false`. */
export async function waiveGap(session: Session, gapId: string, until: string, reason: string): Promise<SignoffOutcome> {
  const gap = gapOf(session, gapId);
  if (gap.waivable === false) throw new Refusal(`${gapId} may not be waived (waivable: false in ${session.wf.file})`, 'close it instead');
  if (!reason.trim()) throw new ConfigError('a waiver needs a reason', { place: { field: '--reason' }, fix: 'say why the GAP may stay open' });
  const expires = parseUntil(until, session.now());
  const { recorded } = await updateWorkflow(session, async (w) => {
    w.pending.push({ type: 'waiver.granted', actor: session.actor, subject: gapId, cause: { kind: 'waiver', principal: session.actor }, data: { until: expires.toISOString(), reason } });
  });
  return { recorded, message: `${session.actor} waived ${gapId} until ${expires.toISOString()}: ${reason}`, unauthenticated: false };
}

/** Withdraws a GAP's standing waiver. */
export async function unwaiveGap(session: Session, gapId: string): Promise<SignoffOutcome> {
  gapOf(session, gapId);
  const { recorded, result } = await updateWorkflow(session, async (w) => {
    const active = w.view.waivers.some((x) => x.gap === gapId && !x.withdrawn);
    if (active) w.pending.push({ type: 'waiver.withdrawn', actor: session.actor, subject: gapId, cause: { kind: 'waiver', principal: session.actor }, data: {} });
    return active;
  });
  if (!result) throw new Refusal(`${gapId} has no waiver to withdraw`, 'see flipgate approvals');
  return { recorded, message: `${session.actor} withdrew the waiver of ${gapId}`, unauthenticated: false };
}

export interface DecisionList {
  approvals: ApprovalStanding[];
  waivers: WaiverStanding[];
  signed: boolean;
  /** What is wrong with the ledger these standings were read from, if anything. */
  problem?: LedgerProblem;
}

/** Every approval and waiver with its standing (counts, revoked, lapsed, unsigned; active, expired, withdrawn). */
export async function listDecisions(session: Session): Promise<DecisionList> {
  const { view, problem } = await readView(session);
  const signers = await loadAllowedSigners(session);
  return {
    approvals: approvalStandings(view, session.plan, session.wf.hash, signers, session.wf.spec.id),
    waivers: waiverStandings(view, session.wf.spec, session.now()),
    signed: !!signers,
    ...(problem ? { problem } : {}),
  };
}

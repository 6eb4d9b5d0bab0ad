import { ConfigError, Refusal } from '../../errors.js';
import { samePrincipal } from '../../spec/principal.js';
import { latestExpiry, waiverPolicy } from '../../spec/waivers.js';
import type { LedgerEvent } from '../../store/types.js';
import type { LedgerProblem } from '../../store/verify.js';
import { signDecision } from '../engine/approval-claims.js';
import type { NewRecordedEvent } from '../engine/events.js';
import { readView } from '../engine/ledger-view.js';
import type { Session } from '../engine/session.js';
import { type ApprovalStanding, decisionStandings, type WaiverStanding } from '../engine/standing.js';
import { updateWorkflow } from '../engine/transact.js';

function gapOf(session: Session, gapId: string) {
  const spec = session.wf.spec;
  const gap = spec.gaps.find((g) => g.id === gapId);
  if (!gap)
    throw new ConfigError(`"${gapId}" is not a GAP of workflow ${spec.id}`, {
      place: { field: 'GAP-ID' },
      fix: `use one of ${spec.gaps.map((g) => g.id).join(', ')}`,
    });
  return gap;
}

function approvalChecks(session: Session, gapId: string) {
  const gap = gapOf(session, gapId);
  const checks = gap.checks.filter((c) => c.kind === 'approval');
  if (!checks.length)
    throw new ConfigError(`${gapId} has no approval check, so a sign-off would not count`, {
      place: { file: session.wf.file, field: gapId },
      fix: `add a check with kind: approval to ${gapId}, or approve another GAP`,
    });
  return checks as Extract<(typeof checks)[number], { kind: 'approval' }>[];
}

export interface SignoffOutcome {
  recorded: LedgerEvent[];
  message: string;
  /** Said plainly whenever approvals are claims rather than proofs. */
  unauthenticated: boolean;
}

export const unauthenticatedNote =
  'approvals are unauthenticated: --as is a claim, not an identity (set approvals: {signed: true, allowedSigners: FILE} in the workflow to require SSH signatures)';

export interface SignOptions {
  /** Sign with ssh-keygen (required where the workflow says approvals: {signed: true}). */
  sign?: boolean;
  /** The SSH key (or its .pub, with the private half in ssh-agent); implies sign. */
  keyFile?: string;
}

/**
 * Records a decision, signed over the ledger head it is recorded right after when `sign` says so
 * (or the spec requires it): pending housekeeping (a spec anchor, a journaled disable) is recorded
 * first, then the head is read, the claim signed and checked against allowed signers, and the event
 * appended only if the head has not moved meanwhile — so a signature always covers the history it
 * joins. Nothing is signed while the store's lock is held (ssh-keygen may wait for a passphrase).
 */
async function recordDecision(
  session: Session,
  kind: 'approval' | 'waiver',
  gapId: string,
  opts: SignOptions & { until?: string; reason?: string },
  event: (head: { seq: number; hash: string }, signed: { signature: string; signedAt: string } | undefined) => NewRecordedEvent,
): Promise<{ recorded: LedgerEvent[]; signed: boolean }> {
  const required = !!session.wf.spec.approvals?.signed;
  const sign = required || !!opts.sign || !!opts.keyFile;
  if (sign && !required)
    throw new ConfigError(`workflow ${session.wf.spec.id} does not check signatures, so a signature would prove nothing`, {
      place: { file: session.wf.file, field: 'approvals' },
      fix: 'set approvals: {signed: true, allowedSigners: FILE} in the workflow, or leave out --sign',
    });
  if (required && !opts.sign && !opts.keyFile)
    throw new ConfigError(`workflow ${session.wf.spec.id} requires signed ${kind}s`, {
      place: { field: '--sign' },
      fix: `pass --sign (with --key ~/.ssh/id_ed25519, or its .pub with ssh-agent)`,
    });
  if (sign) await updateWorkflow(session, async () => undefined); // housekeeping first, so the head signed is the head joined
  const head = sign ? ((await session.store.head()) ?? { seq: 0, hash: 'genesis' }) : undefined;
  const signed = sign
    ? await signDecision(session, { kind, gap: gapId, head: head!, until: opts.until, reason: opts.reason }, opts.keyFile)
    : undefined;
  const { recorded } = await updateWorkflow(session, async (w) => {
    const now = w.view.head ?? { seq: 0, hash: 'genesis' };
    if (head && (w.pending.length || now.seq !== head.seq || now.hash !== head.hash)) {
      throw new Refusal(
        `the ledger moved on while the ${kind} was being signed (it signed event ${head.seq}; the ledger is at event ${now.seq}), so nothing was recorded`,
        'run the command again: a signature counts only for the history it signed',
      );
    }
    w.pending.push(event(now, signed && { signature: signed.signature, signedAt: signed.claim.time }));
  });
  return { recorded, signed: !!signed };
}

/**
 * Records a sign-off on a GAP's approval checks. It carries the ledger head and spec hash it was
 * given under, so it lapses when a GAP it stands on reopens later or the spec changes; where the
 * spec requires signed approvals it carries an SSH signature over its claim (signing/claim.ts).
 */
export async function approveGap(session: Session, gapId: string, opts: { note?: string } & SignOptions = {}): Promise<SignoffOutcome> {
  const checks = approvalChecks(session, gapId);
  const principal = session.actor;
  if (checks.every((c) => c.principals && !c.principals.includes(principal))) {
    const names = [...new Set(checks.flatMap((c) => c.principals ?? []))];
    throw new Refusal(`${principal} may not approve ${gapId}`, `approve as one of ${names.join(', ')}`);
  }
  const { recorded, signed } = await recordDecision(session, 'approval', gapId, opts, (head, sig) => ({
    type: 'approval.granted',
    actor: principal,
    subject: gapId,
    cause: { kind: 'approval', principal },
    data: { head: head.hash, headSeq: head.seq, specHash: session.wf.hash, ...(opts.note ? { note: opts.note } : {}), ...(sig ?? {}) },
  }));
  return {
    recorded,
    message: `${principal} approved ${gapId}${signed ? ' (signed; the signature verifies)' : ''}; it counts at the next survey or advance`,
    unauthenticated: !signed,
  };
}

/** Withdraws a principal's approvals of a GAP. */
export async function revokeApproval(session: Session, gapId: string): Promise<SignoffOutcome> {
  approvalChecks(session, gapId);
  const principal = session.actor;
  const { recorded, result } = await updateWorkflow(session, async (w) => {
    const active = w.view.approvals.some((a) => a.gap === gapId && samePrincipal(a.principal, principal) && !a.revoked);
    if (active)
      w.pending.push({ type: 'approval.revoked', actor: principal, subject: gapId, cause: { kind: 'approval', principal }, data: {} });
    return active;
  });
  if (!result) throw new Refusal(`${principal} has no standing approval of ${gapId} to revoke`, 'see flipgate approvals');
  return { recorded, message: `${principal} revoked the approval of ${gapId}`, unauthenticated: !session.wf.spec.approvals?.signed };
}

const untilFix = 'write it like 2026-12-31 (valid to the end of that day, UTC) or 2026-12-31T18:00:00Z';
const untilPattern = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * An ISO 8601 calendar date (the waiver holds to the end of that day, UTC) or a date-time with its
 * time zone. A date that does not exist (2027-02-30) is refused, not rolled over into March; so is
 * a past time, and, with `maxDays`, one later than the end of the day (UTC) `maxDays` days from now.
 */
export function parseUntil(until: string, now: Date, maxDays?: number): Date {
  const place = { field: '--until' };
  const m = untilPattern.exec(until.trim());
  if (!m) throw new ConfigError(`"${until}" is not an ISO 8601 date or time`, { place, fix: untilFix });
  const [, y, mo, d, hh, mi, ss, frac, zone] = m;
  const n = (x: string | undefined) => Number(x ?? 0);
  const daysInMonth = new Date(Date.UTC(n(y), n(mo), 0)).getUTCDate();
  const zoneOk = !zone || zone === 'Z' || (n(zone.slice(1, 3)) <= 14 && n(zone.slice(-2)) <= 59);
  if (n(mo) < 1 || n(mo) > 12 || n(d) < 1 || n(d) > daysInMonth || n(hh) > 23 || n(mi) > 59 || n(ss) > 59 || !zoneOk) {
    throw new ConfigError(
      `"${until}" is not a date on the calendar${n(mo) >= 1 && n(mo) <= 12 && n(d) > daysInMonth ? ` (${y}-${mo} has ${daysInMonth} days)` : ''}`,
      { place, fix: untilFix },
    );
  }
  if (hh !== undefined && !zone)
    throw new ConfigError(`"${until}" has no time zone, so its moment depends on the machine`, {
      place,
      fix: `add Z (UTC) or an offset, like ${until.trim()}Z`,
    });
  const t =
    hh === undefined
      ? latestExpiry(Date.UTC(n(y), n(mo) - 1, n(d)), 0)
      : Date.parse(
          `${y}-${mo}-${d}T${hh}:${mi}:${ss ?? '00'}${frac ?? ''}${zone === 'Z' ? 'Z' : `${zone!.slice(0, 3)}:${zone!.slice(-2)}`}`,
        );
  if (t <= now.getTime()) throw new ConfigError(`"${until}" is already past`, { place, fix: 'give a future date' });
  if (maxDays !== undefined) {
    const latest = latestExpiry(now.getTime(), maxDays);
    if (t > latest) {
      const last = new Date(latest).toISOString().slice(0, 10);
      throw new ConfigError(`"${until}" is more than the ${maxDays} days a waiver may run here`, {
        place,
        fix: `give ${last} or earlier (waivers.maxDays)`,
      });
    }
  }
  return new Date(t);
}

/** The waiver rule of a GAP, refused (exit 1) unless it allows the session's actor. */
function waiverAuthority(session: Session, gapId: string, doing: string) {
  gapOf(session, gapId);
  const policy = waiverPolicy(session.wf.spec, gapId);
  if (!policy.allowed) throw new Refusal(policy.problem, policy.fix);
  if (!policy.by.includes(session.actor)) {
    const where = policy.from === 'gap' ? `${gapId}'s waivers.by` : "the workflow's waivers.by";
    throw new Refusal(
      `${session.actor} may not ${doing} ${gapId}: ${where} allows ${policy.byAsWritten.join(', ')} (${policy.by.join(', ')})`,
      `ask one of them, or add ${session.actor} to waivers.by in ${session.wf.file}`,
    );
  }
  return policy;
}

/**
 * What a `waiver.granted` event records: who (the event's actor), until when and why, and the
 * ledger head and spec hash it was given over, so that a signed waiver's claim (signing/claim.ts)
 * can be rebuilt from the record and checked against the history it was signed for.
 */
export interface WaiverData {
  until: string;
  reason: string;
  head: string;
  headSeq: number;
  specHash: string;
  /** An SSH signature (armored SSHSIG) over the claim, and the claim's time. */
  signature?: string;
  signedAt?: string;
}

/**
 * Waives a GAP until a date, with a reason. Only a principal the GAP's or the workflow's
 * `waivers.by` names may do it, for at most `maxDays`; a GAP that may not be waived is refused.
 */
export async function waiveGap(
  session: Session,
  gapId: string,
  until: string,
  reason: string,
  opts: SignOptions = {},
): Promise<SignoffOutcome> {
  const policy = waiverAuthority(session, gapId, 'waive');
  if (!reason.trim())
    throw new ConfigError('a waiver needs a reason', { place: { field: '--reason' }, fix: 'say why the GAP may stay open' });
  const expires = parseUntil(until, session.now(), policy.maxDays).toISOString();
  const { recorded, signed } = await recordDecision(session, 'waiver', gapId, { ...opts, until: expires, reason }, (head, sig) => {
    const data: WaiverData = { until: expires, reason, head: head.hash, headSeq: head.seq, specHash: session.wf.hash, ...(sig ?? {}) };
    return {
      type: 'waiver.granted',
      actor: session.actor,
      subject: gapId,
      cause: { kind: 'waiver', principal: session.actor },
      data: { ...data },
    };
  });
  return {
    recorded,
    message: `${session.actor} waived ${gapId} until ${expires}${signed ? ' (signed; the signature verifies)' : ''}: ${reason}`,
    unauthenticated: !signed,
  };
}

/** Withdraws a GAP's standing waiver; only a principal who may waive the GAP may withdraw it. */
export async function unwaiveGap(session: Session, gapId: string): Promise<SignoffOutcome> {
  waiverAuthority(session, gapId, 'unwaive');
  const { recorded, result } = await updateWorkflow(session, async (w) => {
    const active = w.view.waivers.some((x) => x.gap === gapId && !x.withdrawn);
    if (active)
      w.pending.push({
        type: 'waiver.withdrawn',
        actor: session.actor,
        subject: gapId,
        cause: { kind: 'waiver', principal: session.actor },
        data: {},
      });
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
  return { ...(await decisionStandings(session, view)), ...(problem ? { problem } : {}) };
}

import { ConfigError } from '../errors.js';
import type { LedgerEvent } from '../store/types.js';
import type { Session } from './session.js';
import { updateWorkflow } from './transact.js';

function approvalChecks(session: Session, gapId: string) {
  const spec = session.wf.spec;
  const gap = spec.gaps.find((g) => g.id === gapId);
  if (!gap) throw new ConfigError(`"${gapId}" is not a GAP of workflow ${spec.id}`, { place: { field: 'GAP-ID' }, fix: `use one of ${spec.gaps.map((g) => g.id).join(', ')}` });
  const checks = gap.checks.filter((c) => c.kind === 'approval');
  if (!checks.length) throw new ConfigError(`${gapId} has no approval check, so a sign-off would not count`, { place: { file: session.wf.file, field: gapId }, fix: `add a check with kind: approval to ${gapId}, or approve another GAP` });
  return checks as Extract<(typeof checks)[number], { kind: 'approval' }>[];
}

export interface SignoffOutcome {
  recorded: LedgerEvent[];
  message: string;
}

/**
 * Records a sign-off on a GAP's approval checks. The approval carries the ledger head and spec hash
 * it was given under, so it lapses if a GAP it stands on reopens later or the spec changes.
 */
export async function approveGap(session: Session, gapId: string, note?: string): Promise<SignoffOutcome> {
  const checks = approvalChecks(session, gapId);
  const principal = session.actor;
  const allowed = checks.every((c) => c.principals && !c.principals.includes(principal));
  if (allowed) {
    const names = [...new Set(checks.flatMap((c) => c.principals ?? []))];
    throw new ConfigError(`${principal} may not approve ${gapId}`, { place: { file: session.wf.file, field: `${gapId} approval principals` }, fix: `approve as one of ${names.join(', ')}` });
  }
  const { recorded } = await updateWorkflow(session, async (w) => {
    w.pending.push({
      type: 'approval.granted',
      actor: principal,
      subject: gapId,
      cause: { kind: 'approval', principal },
      data: { head: w.view.head?.hash ?? 'genesis', headSeq: w.view.head?.seq ?? 0, specHash: session.wf.hash, ...(note ? { note } : {}) },
    });
  });
  return { recorded, message: `${principal} approved ${gapId}; it counts at the next survey or advance` };
}

/** Withdraws a principal's approvals of a GAP. */
export async function revokeApproval(session: Session, gapId: string): Promise<SignoffOutcome> {
  approvalChecks(session, gapId);
  const principal = session.actor;
  const { recorded, result } = await updateWorkflow(session, async (w) => {
    const active = w.view.approvals.some((a) => a.gap === gapId && a.principal === principal && !a.revoked);
    if (!active) return false;
    w.pending.push({ type: 'approval.revoked', actor: principal, subject: gapId, cause: { kind: 'approval', principal }, data: {} });
    return true;
  });
  if (!result) throw new ConfigError(`${principal} has no standing approval of ${gapId} to revoke`, { place: { field: gapId }, fix: 'see flipgate approvals' });
  return { recorded, message: `${principal} revoked the approval of ${gapId}` };
}

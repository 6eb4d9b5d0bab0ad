import type { KeyObject } from 'node:crypto';
import type { Signoff } from '../probes/index.js';
import { claimVerifies } from './approval-claims.js';
import type { MachinePlan } from '../machine/plan.js';
import { principalKey } from '../spec/principal.js';
import type { Workflow } from '../spec/schema.js';
import { latestExpiry, waiverPolicy } from '../spec/waivers.js';
import type { ApprovalRecord, WaiverRecord, WorkflowView } from './view.js';

export interface ApprovalStanding extends ApprovalRecord {
  counts: boolean;
  why: string;
}

export interface WaiverStanding extends WaiverRecord {
  /** forbidden: nobody may waive the GAP; unauthorised: its principal is not in waivers.by. */
  standing: 'active' | 'expired' | 'withdrawn' | 'forbidden' | 'unauthorised';
}

/** The GAPs an approval of `gap` stands on: the GAP, its blockers, and every GAP proven before it in gate order. */
export function approvalDependencies(plan: MachinePlan, gap: string): string[] {
  const deps = new Set<string>([gap]);
  const addBlockers = (id: string) => {
    for (const b of plan.gaps.get(id)?.blockedBy ?? []) if (!deps.has(b)) (deps.add(b), addBlockers(b));
  };
  addBlockers(gap);
  const at = plan.order.indexOf(gap);
  if (at >= 0) plan.order.slice(0, at).forEach((g) => deps.add(g));
  return [...deps];
}

/**
 * Which approvals count: not revoked, given under the current spec, and not lapsed (no GAP they
 * stand on reopened after they were given). Re-probing that finds the same results does not void them.
 */
export function approvalStandings(view: WorkflowView, plan: MachinePlan, specHash: string, signers?: Map<string, KeyObject[]>, workflow?: string): ApprovalStanding[] {
  return view.approvals.map((recorded) => {
    const principal = principalKey(recorded.principal);
    if (principal === undefined) return { ...recorded, counts: false, why: 'not a valid principal name, so it counts for no one' };
    const a = { ...recorded, principal };
    if (a.revoked) return { ...a, counts: false, why: `revoked at event ${a.revoked.seq}` };
    if (signers) {
      if (!a.signature || !a.signedAt) return { ...a, counts: false, why: 'unsigned: this workflow requires signed approvals' };
      const keys = signers.get(a.principal);
      if (!keys) return { ...a, counts: false, why: `${a.principal} is not in the allowed-signers file` };
      const claim = { workflow: workflow ?? '', gap: a.gap, head: a.head, signedAt: a.signedAt, principal: a.principal };
      if (!claimVerifies(claim, a.signature, keys)) return { ...a, counts: false, why: `bad signature: not made by ${a.principal}'s key over this approval` };
    }
    if (a.specHash && a.specHash !== specHash) return { ...a, counts: false, why: 'lapsed: the workflow spec changed after it was given' };
    const reopened = approvalDependencies(plan, a.gap).find((g) => (view.reopenedAt[g] ?? 0) > a.seq);
    if (reopened) return { ...a, counts: false, why: `lapsed: ${reopened} reopened at event ${view.reopenedAt[reopened]}` };
    return { ...a, counts: true, why: 'counts' };
  });
}

/** Counted sign-offs per GAP, one per principal (the same principal approving twice counts once). */
export function signoffsByGap(standings: ApprovalStanding[]): Map<string, Signoff[]> {
  const out = new Map<string, Signoff[]>();
  for (const a of standings) {
    if (!a.counts) continue;
    const list = out.get(a.gap) ?? [];
    if (!list.some((s) => s.principal === a.principal)) list.push({ principal: a.principal, time: a.time, note: a.note });
    out.set(a.gap, list);
  }
  return out;
}

/**
 * Each recorded waiver's standing under the spec's waiver rule (spec/waivers.ts), whoever wrote
 * it to the ledger: it counts only for a GAP someone may waive, by a principal waivers.by names,
 * and at most until the end of the day (UTC) maxDays after it was given.
 */
export function waiverStandings(view: WorkflowView, spec: Workflow, now: Date): WaiverStanding[] {
  return view.waivers.map((w) => {
    if (w.withdrawn) return { ...w, standing: 'withdrawn' as const };
    const policy = waiverPolicy(spec, w.gap);
    if (!policy.allowed) return { ...w, standing: 'forbidden' as const };
    const principal = principalKey(w.principal);
    if (!principal || !policy.by.includes(principal)) return { ...w, standing: 'unauthorised' as const };
    const ends = Math.min(Date.parse(w.until), latestExpiry(Date.parse(w.time), policy.maxDays));
    if (!(ends > now.getTime())) return { ...w, principal, standing: 'expired' as const };
    return { ...w, principal, standing: 'active' as const };
  });
}

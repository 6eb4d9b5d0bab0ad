import type { MachinePlan } from '../../machine/plan.js';
import type { Signoff } from '../../probes/index.js';
import type { DecisionClaim } from '../../signing/claim.js';
import type { ClaimVerdict } from '../../signing/sshsig.js';
import { principalKey } from '../../spec/principal.js';
import type { Workflow } from '../../spec/schema.js';
import { latestExpiry, waiverPolicy } from '../../spec/waivers.js';
import { claimOf, claimVerifier, type SignedRecord } from './approval-claims.js';
import type { Session } from './session.js';
import type { ApprovalRecord, WaiverRecord, WorkflowView } from './view.js';

/*
 * The one standing function: which approvals and waivers count, and why the others do not. The
 * survey, the flip, `approvals`, `audit`, `status`, the reports and the dashboard all read it here.
 */

export interface ApprovalStanding extends ApprovalRecord {
  counts: boolean;
  why: string;
  /** An earlier approval by the same principal of the same GAP that already counts (listed once). */
  duplicateOf?: number;
}

export interface WaiverStanding extends WaiverRecord {
  /** forbidden: nobody may waive the GAP; unauthorised: not by a principal waivers.by names; rejected: unsigned, badly signed or replayed where signatures are required. */
  standing: 'active' | 'expired' | 'withdrawn' | 'forbidden' | 'unauthorised' | 'rejected';
  why: string;
}

/** The GAPs an approval of `gap` stands on: the GAP, its blockers, and every GAP proven before it in gate order. */
export function approvalDependencies(plan: MachinePlan, gap: string): string[] {
  const deps = new Set<string>([gap]);
  const addBlockers = (id: string) => {
    for (const b of plan.gaps.get(id)?.blockedBy ?? []) {
      if (deps.has(b)) continue;
      deps.add(b);
      addBlockers(b);
    }
  };
  addBlockers(gap);
  const at = plan.order.indexOf(gap);
  for (const g of plan.order.slice(0, Math.max(at, 0))) deps.add(g);
  return [...deps];
}

/** How far the claim's time may be from the time the ledger recorded the decision. */
const clockSlackMs = 15 * 60_000;

export interface SignatureCheck {
  workflow: string;
  verify: (claim: DecisionClaim, signature: string) => Promise<ClaimVerdict>;
  hashAt: (seq: number) => Promise<string | undefined>;
  view: WorkflowView;
}

/**
 * Why a recorded signed decision does not count, or undefined when it does: it must be signed by its
 * principal's allowed key over exactly what it records, and recorded right after the head it signed
 * (a signature counts only for the history it signed: a copy appended later is a replay).
 */
async function signatureProblem(
  kind: 'approval' | 'waiver',
  r: SignedRecord & { seq: number; time: string; signature?: string },
  c: SignatureCheck,
): Promise<string | undefined> {
  if (!r.signature || !r.signedAt) return 'unsigned: this workflow requires signed approvals and waivers';
  const built = claimOf(c.workflow, kind, r);
  if ('problem' in built) return `not a valid signed claim: ${built.problem}`;
  const v = await c.verify(built.claim, r.signature);
  if (!v.ok) return `${v.reason}: ${v.evidence}`;
  const headSeq = r.headSeq!;
  if (r.seq !== headSeq + 1) {
    const revoked = c.view.approvals.find(
      (a) => a.gap === r.gap && a.principal === r.principal && a.revoked && a.revoked.seq > headSeq && a.revoked.seq < r.seq,
    )?.revoked;
    const reopened = Object.entries(c.view.reopenedAt).find(([, at]) => at > headSeq && at < r.seq);
    const before = revoked
      ? ` — it was signed before the revoke at event ${revoked.seq}`
      : reopened
        ? ` — it was signed before ${reopened[0]} reopened at event ${reopened[1]}`
        : '';
    return `replayed: signed over the history up to event ${headSeq} but recorded at event ${r.seq}; a signature counts only for the history it signed${before}`;
  }
  const hash = headSeq === 0 ? 'genesis' : await c.hashAt(headSeq);
  if (hash !== r.head) return `signed over another history: event ${headSeq} of this ledger is not the one it signed`;
  if (Math.abs(Date.parse(r.time) - Date.parse(r.signedAt)) > clockSlackMs) return `signed at ${r.signedAt} but recorded at ${r.time}`;
  return undefined;
}

/**
 * Which approvals count: a valid principal, not revoked, signed and not replayed where the spec
 * requires signatures, given under the current spec, and not lapsed (no GAP it stands on reopened
 * after it was given). The same principal approving a GAP again is listed once: the later copy
 * points at the one that counts.
 */
export async function approvalStandings(
  view: WorkflowView,
  plan: MachinePlan,
  specHash: string,
  signatures?: SignatureCheck,
): Promise<ApprovalStanding[]> {
  const out: ApprovalStanding[] = [];
  for (const recorded of view.approvals) {
    const principal = principalKey(recorded.principal);
    if (principal === undefined) {
      out.push({ ...recorded, counts: false, why: 'not a valid principal name, so it counts for no one' });
      continue;
    }
    const a = { ...recorded, principal };
    const problem = a.revoked
      ? `revoked at event ${a.revoked.seq}`
      : (signatures && (await signatureProblem('approval', a, signatures))) ||
        (a.specHash && a.specHash !== specHash ? 'lapsed: the workflow spec changed after it was given' : undefined) ||
        ((g) => (g ? `lapsed: ${g} reopened at event ${view.reopenedAt[g]}` : undefined))(
          approvalDependencies(plan, a.gap).find((g) => (view.reopenedAt[g] ?? 0) > a.seq),
        );
    const first = problem ? undefined : out.find((o) => o.counts && o.gap === a.gap && o.principal === principal);
    out.push(
      problem
        ? { ...a, counts: false, why: problem }
        : first
          ? { ...a, counts: false, why: `the same as ${principal}'s approval at event ${first.seq}, which counts`, duplicateOf: first.seq }
          : { ...a, counts: true, why: 'counts' },
    );
  }
  return out;
}

/** Counted sign-offs per GAP, one per principal. */
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
 * signed and not replayed where signatures are required, and at most until the end of the day
 * (UTC) maxDays after it was given. An expired waiver is `expired`, never active.
 */
export async function waiverStandings(
  view: WorkflowView,
  spec: Workflow,
  now: Date,
  signatures?: SignatureCheck,
): Promise<WaiverStanding[]> {
  const out: WaiverStanding[] = [];
  for (const w of view.waivers) {
    if (w.withdrawn) {
      out.push({ ...w, standing: 'withdrawn', why: `withdrawn by ${w.withdrawn.by} at event ${w.withdrawn.seq}` });
      continue;
    }
    const policy = waiverPolicy(spec, w.gap);
    if (!policy.allowed) {
      out.push({ ...w, standing: 'forbidden', why: policy.problem });
      continue;
    }
    const principal = principalKey(w.principal);
    if (!principal || !policy.by.includes(principal)) {
      out.push({ ...w, standing: 'unauthorised', why: `${w.principal} is not named by waivers.by for ${w.gap}` });
      continue;
    }
    const problem = signatures && (await signatureProblem('waiver', { ...w, principal }, signatures));
    const ends = Math.min(Date.parse(w.until), latestExpiry(Date.parse(w.time), policy.maxDays));
    if (problem) out.push({ ...w, principal, standing: 'rejected', why: problem });
    else if (!(ends > now.getTime())) out.push({ ...w, principal, standing: 'expired', why: `expired at ${new Date(ends).toISOString()}` });
    else out.push({ ...w, principal, standing: 'active', why: `counts until ${new Date(ends).toISOString()}` });
  }
  return out;
}

export interface Standings {
  approvals: ApprovalStanding[];
  waivers: WaiverStanding[];
  /** Whether the workflow requires signed approvals and waivers. */
  signed: boolean;
}

/** Every approval's and waiver's standing for a session, on a view of its ledger. */
export async function decisionStandings(
  session: Pick<Session, 'wf' | 'env' | 'plan' | 'store' | 'now'>,
  view: WorkflowView,
): Promise<Standings> {
  const signed = !!session.wf.spec.approvals?.signed;
  const signatures: SignatureCheck | undefined = signed
    ? { workflow: session.wf.spec.id, verify: claimVerifier(session), hashAt: (seq) => session.store.hashAt(seq), view }
    : undefined;
  return {
    approvals: await approvalStandings(view, session.plan, session.wf.hash, signatures),
    waivers: await waiverStandings(view, session.wf.spec, session.now(), signatures),
    signed,
  };
}

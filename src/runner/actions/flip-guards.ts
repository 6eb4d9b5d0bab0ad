import { satisfies } from '../../machine/guards.js';
import type { GapStatus } from '../../machine/types.js';
import { killSwitchChecks } from '../../spec/schema.js';
import { isWaivable } from '../../spec/waivers.js';
import type { Guard } from '../engine/events.js';
import type { CheckedView } from '../engine/ledger-view.js';
import type { ProbeRound } from '../engine/probe-round.js';
import { type PlannedCheck, runChecks } from '../engine/run-checks.js';
import type { Session } from '../engine/session.js';

// What the whole-ledger verification behind the flip checked, in one line.
function ledgerEvidence(session: Session, checked: CheckedView): { ok: boolean; evidence: string } {
  const v = checked.verification;
  if (!v)
    return {
      ok: false,
      evidence: checked.problem
        ? `${checked.problem.problem} at event ${checked.problem.seq}: ${checked.problem.detail}`
        : 'the whole ledger was not verified',
    };
  if (!v.ok) return { ok: false, evidence: `${v.problem!.problem} at event ${v.problem!.seq}: ${v.problem!.detail}` };
  const parts = [`hash chain and lines intact up to event ${v.head?.seq ?? 0}`];
  parts.push(
    session.verifyKey
      ? `${v.signatures.signed} signed event(s) verify${v.adoption ? `; the unsigned events before event ${v.adoption.at} are vouched for by ${v.adoption.vouchedBy === 'adopted' ? '--adopted' : 'a signed checkpoint'}` : ''}`
      : 'no verify key: forgery with recomputed hashes is not detectable',
  );
  parts.push(
    v.witness
      ? `the witness at ${v.witness.location} holds event ${v.witness.seq}, which the ledger contains`
      : session.witness
        ? `the witness at ${session.witness.location} holds no head yet`
        : 'no witness: a cut-off tail is checked only against the view',
  );
  if (v.checkpoint) parts.push(`the checkpoint at event ${v.checkpoint.seq} matches`);
  return { ok: true, evidence: parts.join('; ') };
}

const guard = (ok: boolean, wording: string, refusal: string, evidence: string): Guard => ({ guard: wording, ok, evidence, refusal });

/**
 * The requester is excluded by the flip's guard, never by a GAP's verdict: a GAP's approval checks
 * are run again over the same sign-offs without the requester's, and a WAIVED GAP needs a waiver
 * by someone else. The survey the flip records is the plain one, so a refused flip lapses nothing.
 */
async function requesterGuards(session: Session, round: ProbeRound): Promise<Guard[]> {
  const spec = session.wf.spec;
  const me = session.actor;
  const out: Guard[] = [];
  for (const g of spec.gaps) {
    const planned: PlannedCheck[] = g.checks
      .filter((c) => c.kind === 'approval')
      .map((c) => ({ ref: `${g.id}/${c.id}`, owner: { kind: 'gap', id: g.id }, check: c }));
    if (planned.length) {
      const results = await runChecks(planned, {
        concurrency: 1,
        timeoutMs: session.timeoutMs,
        context: { host: session.host, env: session.env, postgres: session.postgres },
        signoffsFor: (gap) => round.signoffs.get(gap) ?? [],
        excludedPrincipals: [me],
      });
      const ok = results.every((r) => r.status === 'pass');
      out.push(
        guard(
          ok,
          `${g.id}'s approvals meet its quorum without the requester (${me})`,
          `${g.id} lacks the approvals it needs from principals other than the requester (${me})`,
          results.map((r, i) => `${planned[i]!.check.id}: ${r.evidence}`).join('; '),
        ),
      );
    }
    if (round.verdicts.get(g.id)?.status === 'WAIVED') {
      const standing = round.waivers.filter((w) => w.gap === g.id && w.standing === 'active');
      const others = standing.filter((w) => w.principal !== me);
      out.push(
        guard(
          others.length > 0,
          `${g.id} is waived by someone other than the requester (${me})`,
          `${g.id}'s only standing waiver is the requester's own (${me})`,
          standing.map((w) => `waived by ${w.principal} until ${w.until} (event ${w.seq})`).join('; '),
        ),
      );
    }
  }
  return out;
}

/** Every condition the flip needs, each with its evidence and its negative wording, on a fresh round. */
export async function flipGuards(session: Session, state: string, checked: CheckedView, round: ProbeRound): Promise<Guard[]> {
  const spec = session.wf.spec;
  const ledger = ledgerEvidence(session, checked);
  const { enabled } = killSwitchChecks(spec);
  const guards: Guard[] = [
    guard(state === 'armed', 'the workflow is armed', 'the workflow is not armed', `state is ${state}`),
    guard(ledger.ok, 'the ledger verifies', 'the ledger does not verify', ledger.evidence),
    guard(
      round.killSwitch.status === 'safe',
      'the kill switch reads safe',
      `the kill switch does not read safe (it reads ${round.killSwitch.status})`,
      round.killSwitch.evidence,
    ),
    guard(
      !!enabled,
      'the kill switch can prove execution is on (killSwitch.enabled)',
      'the kill switch has no enabled: check, so the flip could never be proven to have taken effect',
      enabled ? `${enabled.id}: ${enabled.kind}` : `add killSwitch.enabled to ${session.wf.file}`,
    ),
  ];
  for (const g of spec.gaps) {
    const v = round.verdicts.get(g.id);
    const status: GapStatus | 'UNKNOWN' = v?.status ?? 'UNKNOWN';
    const why = round.survey.checks
      .filter((c) => c.owner.kind === 'gap' && c.owner.id === g.id && c.status !== 'pass')
      .map((c) => `${c.id}: ${c.evidence}`);
    const waivable = isWaivable(spec, g);
    guards.push(
      guard(
        status !== 'UNKNOWN' && satisfies(status, waivable),
        `${g.id} is CLOSED${waivable ? ' or validly WAIVED' : ''}`,
        `${g.id} is ${status}, not CLOSED${waivable ? ' or validly WAIVED' : ''}`,
        `${status}${why.length ? ` — ${why.join('; ')}` : ''}`,
      ),
    );
  }
  guards.push(...(await requesterGuards(session, round)));
  guards.push(
    guard(
      !!spec.flip,
      'a flip command is configured',
      'no flip command is configured',
      spec.flip ? spec.flip.command.join(' ') : `no flip: in ${session.wf.file}`,
    ),
  );
  guards.push(
    guard(
      !!spec.disable,
      'a disable command is configured (the way back)',
      'no disable command is configured (the way back)',
      spec.disable ? spec.disable.command.join(' ') : `no disable: in ${session.wf.file}`,
    ),
  );
  return guards;
}

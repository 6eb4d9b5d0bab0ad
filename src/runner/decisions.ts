import { Refusal } from '../errors.js';
import { satisfies } from '../machine/guards.js';
import { topState } from '../machine/state.js';
import type { GapStatus } from '../machine/types.js';
import type { Cause, LedgerEvent } from '../store/types.js';
import type { Guard } from './events.js';
import { onHost, probeRound, roundEvents, switchReading, type ProbeRound } from './probe-round.js';
import { buildReport, type StatusReport } from './report.js';
import type { Session } from './session.js';
import type { Fleet } from './fleet.js';
import { readFleetSwitch, runFleetCommand } from './fleet-commands.js';
import { unauthenticatedNote } from './signoffs.js';
import { feedRound, probeCause, updateWorkflow, type UpdateOptions, type WorkflowTx } from './transact.js';
import { checksCause, type CheckRecord } from './view.js';
import { runOneCheck } from './run-checks.js';
import { isWaivable } from '../spec/waivers.js';
import type { Check } from '../spec/schema.js';

export type { Guard };

export interface FlipOutcome {
  outcome: 'would-proceed' | 'refused' | 'flipped' | 'failed';
  message: string;
  guards: Guard[];
  /** What the flip runs, and what runs if it fails. */
  command?: string[];
  disable?: string[];
  unauthenticated: boolean;
  report: StatusReport;
  recorded: LedgerEvent[];
}

const operator = (command: string): Cause => ({ kind: 'operator', command });

// What the whole-ledger verification behind the flip checked, in one line.
function ledgerEvidence(session: Session, w: WorkflowTx): { ok: boolean; evidence: string } {
  const v = w.checked.verification!;
  if (!v.ok) return { ok: false, evidence: `${v.problem!.problem} at event ${v.problem!.seq}: ${v.problem!.detail}` };
  const parts = [`hash chain and lines intact up to event ${v.head?.seq ?? 0}`];
  parts.push(session.verifyKey ? `${v.signatures.signed} signed event(s) verify${v.adoption ? `; the unsigned events before event ${v.adoption.at} are vouched for by ${v.adoption.vouchedBy === 'adopted' ? '--adopted' : 'a signed checkpoint'}` : ''}` : 'no verify key: forgery with recomputed hashes is not detectable');
  parts.push(v.witness ? `the witness at ${v.witness.location} holds event ${v.witness.seq}, which the ledger contains` : session.witness ? `the witness at ${session.witness.location} holds no head yet` : 'no witness: a cut-off tail is checked only against the view');
  if (v.checkpoint) parts.push(`the checkpoint at event ${v.checkpoint.seq} matches`);
  return { ok: true, evidence: parts.join('; ') };
}

/** Every condition the flip needs, each with its evidence, evaluated on a fresh round. */
function flipGuards(session: Session, w: WorkflowTx, round: ProbeRound): Guard[] {
  const spec = session.wf.spec;
  const state = w.run.state;
  const ledger = ledgerEvidence(session, w);
  const guards: Guard[] = [
    { guard: 'the workflow is armed', ok: state === 'armed', evidence: `state is ${state}` },
    { guard: 'the ledger verifies', ok: ledger.ok, evidence: ledger.evidence },
    { guard: 'the kill switch reads safe', ok: round.killSwitch.status === 'safe', evidence: round.killSwitch.evidence },
  ];
  for (const g of spec.gaps) {
    const v = round.verdicts.get(g.id);
    const status: GapStatus | 'UNKNOWN' = v?.status ?? 'UNKNOWN';
    const checks = round.survey.checks.filter((c) => c.owner.kind === 'gap' && c.owner.id === g.id);
    const why = checks.filter((c) => c.status !== 'pass').map((c) => `${c.id}: ${c.evidence}`);
    guards.push({
      guard: `${g.id} is CLOSED${isWaivable(spec, g) ? ' or validly WAIVED' : ''}`,
      ok: status !== 'UNKNOWN' && satisfies(status, isWaivable(spec, g)),
      evidence: `${status}${why.length ? ` — ${why.join('; ')}` : ''}`,
    });
  }
  // On a fleet each host runs its own resolved command: the first host's is shown.
  const onEach = session.fleet ? ` (on each of ${session.fleet.members.length} hosts, as its vars resolve it; ${session.fleet.members[0]!.name}'s shown)` : '';
  guards.push({ guard: 'a flip command is configured', ok: !!spec.flip, evidence: spec.flip ? spec.flip.command.join(' ') + onEach : `no flip: in ${session.wf.file}` });
  guards.push({ guard: 'a disable command is configured (the way back)', ok: !!spec.disable, evidence: spec.disable ? spec.disable.command.join(' ') + onEach : `no disable: in ${session.wf.file}` });
  return guards;
}

async function readSwitch(session: Session) {
  if (session.fleet) return readFleetSwitch({ ...session, fleet: session.fleet });
  const check = session.wf.spec.killSwitch as Check;
  const r = await runOneCheck(
    { ref: 'killSwitch', owner: { kind: 'killSwitch', id: 'killSwitch' }, check },
    { concurrency: 1, timeoutMs: session.timeoutMs, context: { host: session.host, env: session.env, postgres: session.postgres }, signoffsFor: () => [] },
  );
  const record: CheckRecord = { ref: 'killSwitch', id: check.id, kind: check.kind, owner: { kind: 'killSwitch', id: 'killSwitch' }, ...r };
  return { reading: switchReading(r), result: r, cause: checksCause([record]) };
}

/** The flip on every host of a fleet, summed up as one run: it failed if it failed (or could not run) on any host. */
async function fleetFlip(session: Session & { fleet: Fleet }) {
  const runs = await runFleetCommand(session, 'flip');
  const failed = runs.filter((r) => !r.ok);
  return { runs, exitCode: failed.length ? 1 : 0, problem: failed.length > 0, detail: failed.length ? `failed on ${failed.map((r) => `${r.host} (${r.problem ?? `exit ${r.exitCode}`})`).join(', ')}` : undefined };
}

/** Runs the spec's disable command (if any), records it and the switch reading that follows. */
async function runDisable(session: Session, w: WorkflowTx, why: string): Promise<{ safe: boolean; evidence: string }> {
  const cmd = session.wf.spec.disable;
  if (session.fleet) {
    for (const data of await runFleetCommand({ ...session, fleet: session.fleet }, 'disable')) w.pending.push({ type: 'disable.command', actor: session.actor, cause: operator(why), data });
  } else if (cmd) {
    const r = await session.host.run(cmd.command, { timeoutMs: cmd.timeoutMs ?? 60_000, env: session.env });
    const ok = !r.problem && r.exitCode === 0;
    w.pending.push({ type: 'disable.command', actor: session.actor, cause: operator(why), data: { argv: cmd.command, ...onHost(session), exitCode: r.exitCode ?? null, ...(r.problem ? { problem: r.detail } : {}), ok } });
  } else {
    w.pending.push({ type: 'disable.command', actor: session.actor, cause: operator(why), data: { argv: null, ok: false, problem: 'no disable command in the workflow: turn execution off by hand' } });
  }
  const sw = await readSwitch(session);
  w.pending.push({ type: 'killswitch.read', actor: session.actor, cause: sw.cause, data: { reading: sw.reading, evidence: sw.result.evidence, ...onHost(session) } });
  await w.flush();
  return { safe: sw.reading === 'safe', evidence: sw.result.evidence };
}

/**
 * The flip. Without `execute`: a fresh read-only round and the plan — every guard with its evidence,
 * what would run, whether it would proceed. With `execute`: only from `armed`, with a fresh survey that
 * does not count the requester's own approvals, a verifying ledger and a safe switch; runs the flip
 * command (no shell), then requires the switch to read "execution enabled"; on any failure runs the
 * disable command and ends in `halted`. Every step is in the ledger as it happens.
 */
export async function flipWorkflow(session: Session, opts: { execute: boolean; vouch?: UpdateOptions['vouch'] }): Promise<FlipOutcome> {
  const spec = session.wf.spec;
  const unauthenticated = !spec.approvals?.signed;
  const { result, recorded, view, checked } = await updateWorkflow(session, async (w) => {
    const round = await probeRound(session, w.view, { scope: opts.execute ? 'flip' : 'flip-plan', excludedPrincipals: [session.actor] });
    w.pending.push(...roundEvents(session, w.view, round));
    feedRound(session, w, round);
    const guards = flipGuards(session, w, round);
    const blocked = guards.filter((g) => !g.ok);
    const base = { guards, command: spec.flip?.command, disable: spec.disable?.command, unauthenticated };
    if (!opts.execute) {
      return { ...base, outcome: blocked.length ? ('refused' as const) : ('would-proceed' as const), message: blocked.length ? `the flip would not proceed: ${blocked.map((g) => g.guard).join('; ')}` : `the flip would proceed: ${spec.flip!.command.join(' ')}` };
    }
    if (blocked.length) {
      w.pending.push({ type: 'flip.refused', actor: session.actor, cause: operator('flip --execute'), data: { guards: blocked } });
      return { ...base, outcome: 'refused' as const, message: `flip refused: ${blocked.map((g) => g.guard).join('; ')}` };
    }
    const gaps = Object.fromEntries([...round.verdicts].map(([id, v]) => [id, v.status]));
    w.pending.push({ type: 'flip.requested', actor: session.actor, cause: operator('flip --execute'), data: { guards, command: spec.flip!.command } });
    w.transition(w.run.send({ type: 'flip.start', gaps }), operator('flip --execute'));
    await w.flush();

    const ran = session.fleet ? await fleetFlip({ ...session, fleet: session.fleet }) : await session.host.run(spec.flip!.command, { timeoutMs: spec.flip!.timeoutMs ?? 60_000, env: session.env });
    const ranOk = !ran.problem && ran.exitCode === 0;
    if (!('runs' in ran)) w.pending.push({ type: 'flip.command', actor: session.actor, cause: operator('flip --execute'), data: { argv: spec.flip!.command, ...onHost(session), exitCode: ran.exitCode ?? null, ok: ranOk, ...(ran.problem ? { problem: ran.detail } : {}) } });
    else for (const data of ran.runs) w.pending.push({ type: 'flip.command', actor: session.actor, cause: operator('flip --execute'), data });
    if (!ranOk) {
      w.transition(w.run.send({ type: 'flip.failed' }), operator('flip command failed'));
      await w.flush();
      const back = await runDisable(session, w, 'flip failed');
      return { ...base, outcome: 'failed' as const, message: `the flip command failed (${ran.detail ?? `exit ${ran.exitCode}`}); disable ran; the switch reads ${back.safe ? 'safe' : 'NOT safe'}; halted` };
    }
    const sw = await readSwitch(session);
    w.transition(w.run.send({ type: 'killswitch.read', reading: sw.reading }), sw.cause);
    if (topState(w.run.state) === 'flipped') {
      w.pending.push({ type: 'flip.completed', actor: session.actor, cause: operator('flip --execute'), data: { killSwitch: sw.result.evidence } });
      return { ...base, outcome: 'flipped' as const, message: `execution is enabled: ${sw.result.evidence}` };
    }
    await w.flush();
    const back = await runDisable(session, w, 'switch did not read enabled after the flip');
    return { ...base, outcome: 'failed' as const, message: `the flip command ran but the switch reads ${sw.reading} (${sw.result.evidence}); disable ran; the switch reads ${back.safe ? 'safe' : 'NOT safe'}; halted` };
  }, { fromLedger: true, tolerate: 'read', vouch: opts.vouch });
  return { ...result, report: buildReport(session, view, checked), recorded };
}

export interface DisableOutcome {
  safe: boolean;
  message: string;
  from: string;
  report: StatusReport;
  recorded: LedgerEvent[];
}

/** Turns execution off from any state: runs the disable command, verifies the switch reads safe, halts. */
export async function disableWorkflow(session: Session, reason: string): Promise<DisableOutcome> {
  const { result, recorded, view, checked } = await updateWorkflow(session, async (w) => {
    const from = w.run.state;
    w.pending.push({ type: 'disable.requested', actor: session.actor, cause: operator('disable'), data: { reason, from } });
    await w.flush();
    const back = await runDisable(session, w, `disable: ${reason}`);
    w.transition(w.run.send({ type: 'disable' }), operator(`disable: ${reason}`));
    return { from, safe: back.safe, message: back.safe ? `execution disabled; the switch reads safe (${back.evidence}); halted` : `halted, but the switch does NOT read safe: ${back.evidence}` };
  }, { tolerate: 'record' });
  return { ...result, report: buildReport(session, view, checked), recorded };
}

export interface ResumeOutcome {
  resumed: boolean;
  message: string;
  to: string;
  report: StatusReport;
  recorded: LedgerEvent[];
}

/** Leaves `halted` only when the switch reads safe, then fast-forwards through every gate still proven. */
export async function resumeWorkflow(session: Session): Promise<ResumeOutcome> {
  const { result, recorded, view, checked } = await updateWorkflow(session, async (w) => {
    const state = () => w.run.state;
    if (state() !== 'halted') throw new Refusal(`the workflow is not halted (state ${state()})`, 'resume only leaves halted; see flipgate status');
    const round = await probeRound(session, w.view, { scope: 'resume' });
    w.pending.push(...roundEvents(session, w.view, round));
    w.transition(w.run.send({ type: 'resume', reading: round.killSwitch.status }), probeCause(round, 'killSwitch'));
    if (state() === 'halted') return { resumed: false, message: `still halted: the kill switch reads ${round.killSwitch.evidence}` };
    for (let guard = 0; guard < session.plan.steps.length + 1; guard++) {
      feedRound(session, w, round);
      if (!state().endsWith('.passed')) break;
      w.transition(w.run.send({ type: 'gate.advance' }), operator('resume'));
    }
    return { resumed: true, message: `resumed at ${state()}` };
  });
  return { ...result, to: view.state ?? '', report: buildReport(session, view, checked), recorded };
}

export interface WatchOutcome {
  /** `on`: on a fleet, the hosts where the GAP no longer holds. */
  reopened: { gap: string; status: string; on?: string[] }[];
  disabled?: DisableOutcome;
  report: StatusReport;
}

/** "GAP-1 PARTIAL", or on a fleet "GAP-1 PARTIAL on web02". */
export const driftText = (r: { gap: string; status: string; on?: string[] }): string => `${r.gap} ${r.status}${r.on?.length ? ` on ${r.on.join(', ')}` : ''}`;

/** On a fleet, the hosts where a GAP is not CLOSED in this round. */
const heldOn = (round: ProbeRound, gap: string): { on?: string[] } => {
  const hosts = round.survey.gaps[gap]?.hosts;
  return hosts ? { on: Object.entries(hosts).filter(([, s]) => s !== 'CLOSED').map(([h]) => h) } : {};
};

/** One watch round: a survey; after the flip, a GAP that no longer holds is drift, recorded and (if the spec says so) answered with the disable. */
export async function watchOnce(session: Session): Promise<WatchOutcome> {
  const { result, view, checked } = await updateWorkflow(session, async (w) => {
    const before = w.run.state;
    const round = await probeRound(session, w.view, { scope: 'watch', sections: true });
    w.pending.push(...roundEvents(session, w.view, round));
    const reopened = before === 'flipped'
      ? session.wf.spec.gaps.filter((g) => { const v = round.verdicts.get(g.id); return !v || !satisfies(v.status, isWaivable(session.wf.spec, g)); }).map((g) => ({ gap: g.id, status: round.verdicts.get(g.id)?.status ?? 'UNKNOWN', ...heldOn(round, g.id) }))
      : [];
    for (const r of reopened) w.pending.push({ type: 'drift.reopened', actor: session.actor, subject: r.gap, to: r.status, cause: probeCause(round, r.gap), data: { after: 'flip' } });
    feedRound(session, w, round);
    return reopened;
  }, { tolerate: 'record' });
  let disabled: DisableOutcome | undefined;
  if (result.length && session.wf.spec.watch?.onReopen === 'disable') disabled = await disableWorkflow(session, `drift after the flip: ${result.map(driftText).join(', ')}`);
  return { reopened: result, disabled, report: disabled?.report ?? buildReport(session, view, checked) };
}

export { unauthenticatedNote };

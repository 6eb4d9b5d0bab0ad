import { topState } from '../../machine/state.js';
import type { LedgerEvent } from '../../store/types.js';
import { type Guard, operatorCause, refusalText } from '../engine/events.js';
import type { Fleet } from '../engine/fleet.js';
import { runFleetCommand } from '../engine/fleet-commands.js';
import { readKillSwitch } from '../engine/kill-switch.js';
import { readView } from '../engine/ledger-view.js';
import { onHost, probeRound, roundEvents } from '../engine/probe-round.js';
import type { Session } from '../engine/session.js';
import { feedRound, initialState, type UpdateOptions, updateWorkflow } from '../engine/transact.js';
import { buildReport, type StatusReport } from '../read-models/report.js';
import { disableWithin } from './disable.js';
import { flipGuards } from './flip-guards.js';

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

const refusedBy = (blocked: Guard[]) => blocked.map(refusalText).join('; ');

/**
 * The flip plan: a fresh round and every guard with its evidence, under no lock. It records
 * nothing — a plan is a question, and an answer that wrote to the ledger would need the store, move
 * the view and (were the requester's approvals left out of a recorded round) lapse sign-offs.
 */
async function planFlip(session: Session, opts: { vouch?: UpdateOptions['vouch'] }): Promise<FlipOutcome> {
  const spec = session.wf.spec;
  const checked = await readView(session, { fromLedger: true, vouch: opts.vouch });
  const state = checked.view.state ?? initialState(session);
  const round = await probeRound(session, checked.view, { scope: 'flip-plan' });
  const guards = await flipGuards(session, state, checked, round);
  const blocked = guards.filter((g) => !g.ok);
  return {
    guards,
    command: spec.flip?.command,
    disable: spec.disable?.command,
    unauthenticated: !spec.approvals?.signed,
    outcome: blocked.length ? 'refused' : 'would-proceed',
    message: blocked.length
      ? `the flip would be refused: ${refusedBy(blocked)}`
      : `the flip would proceed: ${spec.flip!.command.join(' ')}`,
    report: buildReport(session, checked.view, checked),
    recorded: [],
  };
}

/** The flip on every host of a fleet, summed up as one run: it failed if it failed (or could not run) on any host. */
async function fleetFlip(session: Session & { fleet: Fleet }) {
  const runs = await runFleetCommand(session, 'flip');
  const failed = runs.filter((r) => !r.ok);
  return {
    runs,
    exitCode: failed.length ? 1 : 0,
    problem: failed.length > 0,
    detail: failed.length ? `failed on ${failed.map((r) => `${r.host} (${r.problem ?? `exit ${r.exitCode}`})`).join(', ')}` : undefined,
  };
}

/**
 * The flip. Without `execute`: the plan (planFlip), which records nothing. With `execute`: a fresh
 * round and every guard (armed, a verifying ledger, a switch confirmed safe that can also prove
 * "enabled", every GAP proven, quorums met without the requester). A refused flip records only the
 * refusal — state and standing stay as they were. Otherwise it records the round, runs the flip
 * command (no shell), and requires the switch to read "enabled" twice; on any failure it runs the
 * disable command and ends in `halted`. Every step is in the ledger as it happens.
 */
export async function flipWorkflow(session: Session, opts: { execute: boolean; vouch?: UpdateOptions['vouch'] }): Promise<FlipOutcome> {
  if (!opts.execute) return planFlip(session, opts);
  const spec = session.wf.spec;
  const unauthenticated = !spec.approvals?.signed;
  const { result, recorded, view, checked } = await updateWorkflow(
    session,
    async (w) => {
      const round = await probeRound(session, w.view, { scope: 'flip' });
      const guards = await flipGuards(session, w.run.state, w.checked, round);
      const blocked = guards.filter((g) => !g.ok);
      const base = { guards, command: spec.flip?.command, disable: spec.disable?.command, unauthenticated };
      if (blocked.length) {
        w.pending.push({ type: 'flip.refused', actor: session.actor, cause: operatorCause('flip --execute'), data: { guards: blocked } });
        return { ...base, outcome: 'refused' as const, message: `flip refused: ${refusedBy(blocked)}` };
      }
      w.pending.push(...roundEvents(session, w.view, round));
      feedRound(session, w, round);
      const gaps = Object.fromEntries([...round.verdicts].map(([id, v]) => [id, v.status]));
      w.pending.push({
        type: 'flip.requested',
        actor: session.actor,
        cause: operatorCause('flip --execute'),
        data: { guards, command: spec.flip!.command },
      });
      // Every sign-off the guards counted was verified by the standing function (signed, not replayed).
      w.transition(
        w.run.send({ type: 'flip.start', gaps, ...(session.plan.signed ? { signoffs: 'verified' as const } : {}) }),
        operatorCause('flip --execute'),
      );
      await w.flush();

      const ran = session.fleet
        ? await fleetFlip({ ...session, fleet: session.fleet })
        : await session.host.run(spec.flip!.command, { timeoutMs: spec.flip!.timeoutMs ?? 60_000, env: session.env });
      const ranOk = !ran.problem && ran.exitCode === 0;
      if (!('runs' in ran))
        w.pending.push({
          type: 'flip.command',
          actor: session.actor,
          cause: operatorCause('flip --execute'),
          data: {
            argv: spec.flip!.command,
            ...onHost(session),
            exitCode: ran.exitCode ?? null,
            ok: ranOk,
            ...(ran.problem ? { problem: ran.detail } : {}),
          },
        });
      else
        for (const data of ran.runs)
          w.pending.push({ type: 'flip.command', actor: session.actor, cause: operatorCause('flip --execute'), data });
      if (!ranOk) {
        w.transition(w.run.send({ type: 'flip.failed' }), operatorCause('flip command failed'));
        await w.flush();
        const back = await disableWithin(session, w, 'flip failed');
        return {
          ...base,
          outcome: 'failed' as const,
          message: `the flip command failed (${ran.detail ?? `exit ${ran.exitCode}`}); disable ran; the switch reads ${back.safe ? 'safe' : 'NOT safe'}; halted`,
        };
      }
      // The reading that decides "flipped" is confirmed by a second read: a switch caught mid-rewrite is unreadable.
      const sw = await readKillSwitch(session, { confirm: true });
      w.pending.push({
        type: 'killswitch.read',
        actor: session.actor,
        cause: sw.cause,
        data: {
          reading: sw.reading,
          evidence: sw.record.evidence,
          command: 'flip --execute',
          checks: sw.checks,
          ...onHost(session),
          ...(sw.record.hosts ? { hosts: sw.record.hosts } : {}),
        },
      });
      w.transition(w.run.send({ type: 'killswitch.read', reading: sw.reading }), sw.cause);
      if (topState(w.run.state) === 'flipped') {
        w.pending.push({
          type: 'flip.completed',
          actor: session.actor,
          cause: operatorCause('flip --execute'),
          data: { killSwitch: sw.record.evidence },
        });
        return { ...base, outcome: 'flipped' as const, message: `execution is enabled: ${sw.record.evidence}` };
      }
      await w.flush();
      const back = await disableWithin(session, w, 'switch did not read enabled after the flip');
      return {
        ...base,
        outcome: 'failed' as const,
        message: `the flip command ran but the switch reads ${sw.reading} (${sw.record.evidence}); disable ran; the switch reads ${back.safe ? 'safe' : 'NOT safe'}; halted`,
      };
    },
    { fromLedger: true, tolerate: 'read', vouch: opts.vouch },
  );
  return { ...result, report: buildReport(session, view, checked), recorded };
}

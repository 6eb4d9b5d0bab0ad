import type { LedgerEvent } from '../../store/types.js';
import { actEvents, type DisableAct, type JournaledDisable, journalDisable, journalPath } from '../engine/disable-journal.js';
import { type CommandRun, operatorCause } from '../engine/events.js';
import { runFleetCommand } from '../engine/fleet-commands.js';
import { readKillSwitch } from '../engine/kill-switch.js';
import { onHost } from '../engine/probe-round.js';
import type { Session } from '../engine/session.js';
import { updateWorkflow, type WorkflowTx } from '../engine/transact.js';
import { buildReport, type StatusReport } from '../read-models/report.js';

/** Runs the spec's disable command (if any) and re-reads the switch. Touches no store. */
export async function actDisable(session: Session): Promise<DisableAct> {
  const time = session.now().toISOString();
  const cmd = session.wf.spec.disable;
  let commands: CommandRun[];
  if (session.fleet) {
    commands = await runFleetCommand({ ...session, fleet: session.fleet }, 'disable');
  } else if (cmd) {
    const r = await session.host.run(cmd.command, { timeoutMs: cmd.timeoutMs ?? 60_000, env: session.env });
    commands = [
      {
        argv: cmd.command,
        ...onHost(session),
        exitCode: r.exitCode ?? null,
        ok: !r.problem && r.exitCode === 0,
        ...(r.problem ? { problem: r.detail ?? r.problem } : {}),
      },
    ];
  } else {
    commands = [{ argv: null, ok: false, problem: 'no disable command in the workflow: turn execution off by hand' }];
  }
  return { commands, read: await readKillSwitch(session, { confirm: true }), time };
}

/** Inside a flip that failed: act, then record at once (the flip holds the store). */
export async function disableWithin(session: Session, w: WorkflowTx, why: string): Promise<{ safe: boolean; evidence: string }> {
  const act = await actDisable(session);
  w.pending.push(...actEvents(session, act, why));
  await w.flush();
  return { safe: act.read.reading === 'safe', evidence: act.read.record.evidence };
}

export interface DisableOutcome {
  safe: boolean;
  message: string;
  /** The state it was in, when the store could be read. */
  from: string;
  /** The report after the record; undefined when nothing could be recorded. */
  report: StatusReport | undefined;
  recorded: LedgerEvent[];
  /** Set when the record went to the local journal instead of the ledger. */
  journaled?: { file: string; problem: string };
}

/**
 * Turns execution off from any state. It acts FIRST — runs the disable command and re-reads the
 * switch — whatever the store's state, then records: the request, the command, the reading and
 * `halted`. A store that cannot take the record within `recordWaitMs` (damaged, locked by another
 * command, unreachable) gets it later from a local journal; the outcome says so.
 */
export async function disableWorkflow(session: Session, reason: string, opts: { recordWaitMs?: number } = {}): Promise<DisableOutcome> {
  const act = await actDisable(session);
  const safe = act.read.reading === 'safe';
  const said = safe
    ? `execution disabled; the switch reads safe (${act.read.record.evidence})`
    : `the switch does NOT read safe: ${act.read.record.evidence}`;
  let phase: 'waiting' | 'started' | 'abandoned' = 'waiting';
  const attempt = updateWorkflow(
    session,
    async (w) => {
      if (phase === 'abandoned') throw new Error('gave up waiting for the store');
      phase = 'started';
      const from = w.run.state;
      w.pending.push({ type: 'disable.requested', actor: session.actor, cause: operatorCause('disable'), data: { reason, from } });
      w.pending.push(...actEvents(session, act, `disable: ${reason}`));
      w.transition(w.run.send({ type: 'disable' }), operatorCause(`disable: ${reason}`));
      return from;
    },
    { tolerate: 'record' },
  );
  const waitMs = opts.recordWaitMs ?? Number(session.env.FLIPGATE_DISABLE_RECORD_WAIT_MS ?? 10_000);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), waitMs)));
  try {
    const first = await Promise.race([attempt, timeout]);
    const abandon = first === 'timeout' && phase === 'waiting';
    if (abandon) phase = 'abandoned';
    const r = abandon ? undefined : await attempt;
    if (r)
      return { safe, from: r.result, message: `${said}; halted`, report: buildReport(session, r.view, r.checked), recorded: r.recorded };
    throw new Error(`the store is busy (another command holds its lock) and did not free it within ${Math.round(waitMs / 1000)} s`);
  } catch (e) {
    attempt.catch(() => undefined);
    const problem = (e as Error).message.split('\n')[0]!;
    const file = journalPath(session.store.location, session.wf.spec.id, session.env);
    const entry: JournaledDisable = {
      kind: 'disable',
      time: act.time,
      actor: session.actor,
      reason,
      commands: act.commands,
      reading: act.read.reading,
      evidence: act.read.record.evidence,
      checks: act.read.checks,
      problem,
    };
    await journalDisable(file, entry);
    return {
      safe,
      from: 'unknown',
      message: `${said}; but it could NOT be recorded in ${session.store.location}: ${problem}. The record is kept in ${file}; the next command that can write the store appends it`,
      report: undefined,
      recorded: [],
      journaled: { file, problem },
    };
  } finally {
    clearTimeout(timer);
  }
}

import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SwitchReading } from '../../machine/types.js';
import { type CheckRecord, type CommandRun, type NewRecordedEvent, operatorCause } from './events.js';
import type { SwitchRead } from './kill-switch.js';
import { onHost } from './probe-round.js';
import type { Session } from './session.js';
import type { WorkflowTx } from './transact.js';
import type { WorkflowView } from './view.js';

/*
 * The disable's journal: when a disable has acted but cannot record (the ledger is damaged, locked by
 * another command, or its Postgres server unreachable), what it did is kept in a local file beside the
 * store, and the next command that can write the store appends it to the ledger.
 */

/** What a disable did, as the journal keeps it until the ledger can take it. */
export interface JournaledDisable {
  kind: 'disable';
  /** When the disable acted. */
  time: string;
  actor: string;
  reason: string;
  commands: CommandRun[];
  reading: SwitchReading;
  evidence: string;
  checks: CheckRecord[];
  /** Why it could not be recorded then. */
  problem: string;
}

/**
 * Beside a file store (`state/o8.json` → `state/o8.journal.jsonl`); for a postgres:// store, in the
 * default state folder of the working directory. FLIPGATE_JOURNAL names another file.
 */
export function journalPath(storeLocation: string, workflow: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.FLIPGATE_JOURNAL) return path.resolve(env.FLIPGATE_JOURNAL);
  const dir = /^postgres(ql)?:\/\//.test(storeLocation) ? 'state' : path.dirname(storeLocation);
  return path.resolve(dir, `${workflow}.journal.jsonl`);
}

/** Appends one entry (one line, one write: entries from racing disables do not interleave). */
export async function journalDisable(file: string, entry: JournaledDisable): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await appendFile(file, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
}

/** The entries waiting in the journal, and the exact text read (to take only those off afterwards). */
export async function readJournal(file: string): Promise<{ entries: JournaledDisable[]; text: string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], text: '' };
    throw e;
  }
  const whole = text.slice(0, text.lastIndexOf('\n') + 1); // a line still being written stays for next time
  const entries = whole
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => {
      try {
        const e = JSON.parse(l) as JournaledDisable;
        return e && e.kind === 'disable' ? [e] : [];
      } catch {
        return [];
      }
    });
  return { entries, text: whole };
}

/** Removes the entries that were read (and appended to the ledger), keeping any written since. */
export async function dropJournaled(file: string, readText: string): Promise<void> {
  if (!readText) return;
  const now = await readFile(file, 'utf8').catch(() => '');
  const rest = now.startsWith(readText) ? now.slice(readText.length) : now;
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, rest, { mode: 0o600 });
  await rename(tmp, file);
}

/**
 * The view with the switch reading of a disable still waiting in the journal, when it is newer than
 * the view's: what is shown is the latest reading taken, recorded in the ledger yet or not.
 */
export async function withJournaledReading(
  view: WorkflowView,
  storeLocation: string,
  workflow: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<WorkflowView> {
  const last = (
    await readJournal(journalPath(storeLocation, workflow, env)).catch(() => ({ entries: [] as JournaledDisable[] }))
  ).entries.at(-1);
  if (!last || (view.killSwitch && view.killSwitch.time >= last.time)) return view;
  const [check, enabled] = last.checks;
  return {
    ...view,
    killSwitch: {
      status: last.reading,
      evidence: `${last.evidence} (not in the ledger yet: ${last.problem})`,
      ...(check ? { check } : {}),
      ...(enabled ? { enabled } : {}),
      seq: view.head?.seq ?? 0,
      time: last.time,
      actor: last.actor,
      command: 'disable, waiting in the journal',
    },
  };
}

/** What the disable did on the host (on each host of a fleet): its command, then the switch read twice. */
export interface DisableAct {
  commands: CommandRun[];
  read: SwitchRead;
  time: string;
}

/** The ledger events of a disable's act (the command and the reading that followed). */
export function actEvents(session: Session, act: DisableAct, why: string, actor = session.actor): NewRecordedEvent[] {
  return [
    ...act.commands.map((data): NewRecordedEvent => ({ type: 'disable.command', actor, cause: operatorCause(why), data })),
    {
      type: 'killswitch.read',
      actor,
      cause: act.read.cause,
      data: {
        reading: act.read.reading,
        evidence: act.read.record.evidence,
        command: 'disable',
        checks: act.read.checks,
        ...onHost(session),
        ...(act.read.record.hosts ? { hosts: act.read.record.hosts } : {}),
      },
    },
  ];
}

/** Appends a journaled disable to the ledger (the first command that can write the store does it). */
export function replayJournaled(session: Session, w: WorkflowTx, e: JournaledDisable): void {
  const why = `disable: ${e.reason} (journaled at ${e.time}: ${e.problem})`;
  w.pending.push({
    type: 'disable.requested',
    actor: e.actor,
    cause: operatorCause(why),
    data: { reason: e.reason, from: w.run.state, journaled: { time: e.time, problem: e.problem } },
  });
  w.pending.push(
    ...actEvents(
      session,
      {
        commands: e.commands,
        read: { reading: e.reading, record: { status: e.reading, evidence: e.evidence }, checks: e.checks, cause: operatorCause(why) },
        time: e.time,
      },
      why,
      e.actor,
    ),
  );
  w.transition(w.run.send({ type: 'disable' }), operatorCause(why));
}

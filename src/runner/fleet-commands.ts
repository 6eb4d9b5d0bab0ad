import type { SwitchReading } from '../machine/types.js';
import type { Check } from '../spec/schema.js';
import type { Cause } from '../store/types.js';
import type { CheckRecord, CommandRun } from './events.js';
import { mapBounded, type Fleet } from './fleet.js';
import { fleetSwitch } from './fleet-round.js';
import { switchReading, switchWords } from './probe-round.js';
import { runOneCheck } from './run-checks.js';
import type { Session } from './session.js';
import { checksCause } from './view.js';

/**
 * Runs each host's own flip or disable command (as its vars resolve it) on that host, `forks` hosts
 * at once; one record per host. A host that cannot be reached, or whose spec has no such command,
 * is a failure with the reason, so the flip never counts it as done and the disable never as safe.
 */
export async function runFleetCommand(session: Session & { fleet: Fleet }, which: 'flip' | 'disable'): Promise<CommandRun[]> {
  return mapBounded(session.fleet.members, session.fleet.forks, async (m): Promise<CommandRun> => {
    const cmd = m.wf.spec[which];
    if (!cmd) return { argv: null, host: m.name, ok: false, problem: `no ${which} command in the workflow: turn execution ${which === 'flip' ? 'on' : 'off'} by hand` };
    if (!m.host) return { argv: cmd.command, host: m.name, exitCode: null, ok: false, problem: m.unreachable ?? `host ${m.name} cannot be reached` };
    const r = await m.host.run(cmd.command, { timeoutMs: cmd.timeoutMs ?? 60_000, env: session.env });
    return { argv: cmd.command, host: m.name, exitCode: r.exitCode ?? null, ok: !r.problem && r.exitCode === 0, ...(r.problem ? { problem: r.detail } : {}) };
  });
}

/** Reads every host's kill switch and combines the readings (see fleetSwitch). */
export async function readFleetSwitch(session: Session & { fleet: Fleet }): Promise<{ reading: SwitchReading; result: { evidence: string }; cause: Cause }> {
  const readings = await mapBounded(session.fleet.members, session.fleet.forks, async (m) => {
    const check = m.wf.spec.killSwitch as Check;
    const planned = { ref: 'killSwitch', owner: { kind: 'killSwitch' as const, id: 'killSwitch' }, check };
    const r = m.host
      ? await runOneCheck(planned, { concurrency: 1, timeoutMs: session.timeoutMs, context: { host: m.host, env: session.env, postgres: m.postgres ?? session.postgres }, signoffsFor: () => [] })
      : { status: 'error' as const, evidence: m.unreachable ?? `host ${m.name} cannot be reached`, ms: 0 };
    const record: CheckRecord = { ref: `killSwitch@${m.name}`, id: check.id, kind: check.kind, owner: planned.owner, host: m.name, ...r };
    return { host: m.name, reading: switchReading(r), check: record };
  });
  const sw = fleetSwitch(readings, switchWords);
  return { reading: sw.status, result: { evidence: sw.evidence }, cause: checksCause(readings.map((x) => x.check)) };
}

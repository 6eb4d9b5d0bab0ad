import { mapBounded } from '../../support/bounded.js';
import type { CommandRun } from './events.js';
import type { Fleet } from './fleet.js';
import type { Session } from './session.js';

/**
 * Runs each host's own flip or disable command (as its vars resolve it) on that host, `forks` hosts
 * at once; one record per host. A host that cannot be reached, or whose spec has no such command,
 * is a failure with the reason, so the flip never counts it as done and the disable never as safe.
 */
export async function runFleetCommand(session: Session & { fleet: Fleet }, which: 'flip' | 'disable'): Promise<CommandRun[]> {
  return mapBounded(session.fleet.members, session.fleet.forks, async (m): Promise<CommandRun> => {
    const cmd = m.wf.spec[which];
    if (!cmd)
      return {
        argv: null,
        host: m.name,
        ok: false,
        problem: `no ${which} command in the workflow: turn execution ${which === 'flip' ? 'on' : 'off'} by hand`,
      };
    if (!m.host)
      return { argv: cmd.command, host: m.name, exitCode: null, ok: false, problem: m.unreachable ?? `host ${m.name} cannot be reached` };
    const r = await m.host.run(cmd.command, { timeoutMs: cmd.timeoutMs ?? 60_000, env: session.env });
    return {
      argv: cmd.command,
      host: m.name,
      exitCode: r.exitCode ?? null,
      ok: !r.problem && r.exitCode === 0,
      ...(r.problem ? { problem: r.detail } : {}),
    };
  });
}

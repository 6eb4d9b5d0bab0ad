import { ConfigError } from '../errors.js';
import type { Host } from '../probes/support/host.js';
import { localHost } from '../probes/support/local-host.js';
import type { FleetMember } from './fleet-workflow.js';

/** A fleet member opened for probing: its Host, or why it cannot be reached (every check on it is then ERROR). */
export interface OpenMember extends FleetMember {
  host: Host | undefined;
  unreachable?: string;
  close(): Promise<void>;
}

/** The hosts a command probes, and how many are probed at once. */
export interface Fleet {
  members: OpenMember[];
  /** Hosts probed at once (`--forks`, default 8, as Ansible's). */
  forks: number;
  close(): Promise<void>;
}

export const defaultForks = 8;

/** Opens a Host for a member that is not local (an SSH target); plugged in by the caller that has a transport. */
export type RemoteOpener = (m: FleetMember) => { host: Host; close(): Promise<void> };

/**
 * Opens every member: `ansible_connection=local` is this machine under the host var `flipgate_root`
 * (default /), so that a folder can stand for a host; an SSH host needs `openRemote`. A host that
 * cannot be opened is kept, unreachable: its GAPs are ERROR, never skipped.
 */
export function openFleet(members: FleetMember[], opts: { forks?: number; openRemote?: RemoteOpener } = {}): Fleet {
  const opened = members.map((m): OpenMember => {
    const none = async () => undefined;
    try {
      if (m.inventory.target.kind === 'local') return { ...m, host: localHost(m.inventory.vars.flipgate_root || '/'), close: none };
      if (!opts.openRemote) return { ...m, host: undefined, unreachable: `${m.name} is an ssh host and this command has no ssh transport`, close: none };
      const r = opts.openRemote(m);
      return { ...m, host: r.host, close: r.close };
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      return { ...m, host: undefined, unreachable: `host ${m.name} cannot be reached: ${e.problem}`, close: none };
    }
  });
  return {
    members: opened,
    forks: Math.max(1, opts.forks ?? defaultForks),
    close: async () => {
      await Promise.all(opened.map((m) => m.close().catch(() => undefined)));
    },
  };
}

/** Runs `fn` for every item, at most `limit` at once; results keep the input order. */
export async function mapBounded<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

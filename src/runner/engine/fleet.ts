import { ConfigError } from '../../errors.js';
import { createPostgresAccess, type PostgresAccess } from '../../probes/pg/access.js';
import type { Host } from '../../probes/support/host.js';
import { localHost } from '../../probes/support/local-host.js';
import { openTarget } from '../../remote/open-target.js';
import type { FleetMember } from './fleet-workflow.js';

/** A fleet member opened for probing: its Host, or why it cannot be reached (every check on it is then ERROR). */
export interface OpenMember extends FleetMember {
  host: Host | undefined;
  unreachable?: string;
  /** Its own Postgres access when its database is reached through its SSH connection; else the session's. */
  postgres?: PostgresAccess;
  close(): Promise<void>;
}

export interface FleetOptions {
  /** Hosts probed at once (default 8). */
  forks?: number;
  env?: NodeJS.ProcessEnv;
  /** An ssh_config to use instead of ~/.ssh/config, and the slow operations' deadline. */
  ssh?: { configFile?: string; timeoutMs?: number };
  pgMaxConnections?: number;
}

/** The hosts a command probes, and how many are probed at once. */
export interface Fleet {
  members: OpenMember[];
  /** Hosts probed at once (`--forks`, default 8, as Ansible's). */
  forks: number;
  close(): Promise<void>;
}

export const defaultForks = 8;

/**
 * Opens every member: `ansible_connection=local` is this machine under the host var `flipgate_root`
 * (default /), so that a folder can stand for a host; an SSH host gets its own multiplexed
 * connection (made on first use, `flipgate_root` as its root, `ansible_become` as sudo -n) and its
 * own Postgres route through it. A host that cannot be opened is kept, unreachable: its GAPs are
 * ERROR, never skipped.
 */
export async function openFleet(members: FleetMember[], opts: FleetOptions = {}): Promise<Fleet> {
  const none = async () => undefined;
  const opened = await Promise.all(
    members.map(async (m): Promise<OpenMember> => {
      const root = m.inventory.vars.flipgate_root || '/';
      try {
        if (m.inventory.target.kind === 'local') return { ...m, host: localHost(root), close: none };
        const t = await openTarget(m.inventory.target, {
          root,
          become: m.inventory.become,
          configFile: opts.ssh?.configFile,
          timeoutMs: opts.ssh?.timeoutMs,
          ...(m.inventory.identityFile ? { identityFile: m.inventory.identityFile } : {}),
        });
        const postgres = createPostgresAccess({
          env: opts.env ?? process.env,
          maxConnections: opts.pgMaxConnections ?? 4,
          route: t.postgresRoute,
        });
        return {
          ...m,
          host: t.host,
          postgres,
          close: async () => {
            await postgres.close();
            await t.close();
          },
        };
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        return { ...m, host: undefined, unreachable: `host ${m.name} cannot be reached: ${e.problem}`, close: none };
      }
    }),
  );
  return {
    members: opened,
    forks: Math.max(1, opts.forks ?? defaultForks),
    close: async () => {
      await Promise.all(opened.map((m) => m.close().catch(() => undefined)));
    },
  };
}

import type { ClientConfig } from 'pg';
import type { Host } from '../probes/support/host.js';
import { localHost } from '../probes/support/local-host.js';
import type { RemoteHostOptions } from './host.js';
import { describeTarget, type Target } from './target.js';

/** A machine opened for one command: the probes' Host, where its Postgres checks connect, and how to let it go. */
export interface OpenedTarget {
  /** `local` or `ssh://[user@]host[:port]`, as recorded in the ledger. */
  label: string;
  host: Host;
  /** For createPostgresAccess: undefined locally; over SSH, the target's server through a forwarded socket. */
  postgresRoute?: (cfg: ClientConfig) => Promise<ClientConfig>;
  /** Closes the forwards and the SSH connection (nothing to do locally). */
  close(): Promise<void>;
}

/**
 * Opens a target for the probes, the kill switch and the flip and disable commands. The SSH
 * connection is made on first use, so a host that cannot be reached (or whose key is unknown or
 * has changed, or whose sudo refuses) makes every check on it ERROR with the connection's message.
 *
 * @throws ConfigError for a local `root` that does not exist (a remote root is checked on the target).
 * @example
 * const t = await openTarget(parseTarget('ssh://deploy@app1'), { root: '/', become: 'sudo' });
 * const session = openSession({ workflow, store, target: t }); // session.close() closes t
 */
export async function openTarget(target: Target, opts: RemoteHostOptions & { connectNow?: boolean } = {}): Promise<OpenedTarget> {
  if (target.kind === 'local') return { label: 'local', host: localHost(opts.root ?? '/'), close: async () => undefined };
  // Loaded here so that a local command never loads the SSH side.
  const [{ RemoteHost }, { postgresRoute }, { remoteProbeHost }] = await Promise.all([
    import('./host.js'),
    import('./pg-route.js'),
    import('./probe-host.js'),
  ]);
  const remote = new RemoteHost(target, opts);
  // Connecting early overlaps the handshake with whatever the caller does next; a failure is kept
  // and given to every operation.
  if (opts.connectNow) remote.connect().catch(() => undefined);
  const pg = postgresRoute(remote);
  return {
    label: describeTarget(target),
    host: remoteProbeHost(remote),
    postgresRoute: pg.route,
    // The forwards end with the connection: closing it is one step, not one per forward.
    close: () => remote.close(),
  };
}
